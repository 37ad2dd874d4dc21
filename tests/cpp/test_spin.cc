// AdaptiveSpin: the budget follows a wait site's recent waits (twice their decaying peak, between
// kSpinBudget and kMaxSpin), a site whose waits outlast kMaxSpin spins the minimum, and Spin()
// honours its predicate, its budget and its limit. WaitPolicy decides whether a wait spins at all,
// and two threads sharing one core mark the process contended.
#include <pthread.h>
#include <sched.h>

#include <chrono>
#include <cstdint>
#include <thread>

#include "check.h"
#include "envfleet/core/contention.h"
#include "envfleet/core/spin.h"

namespace envfleet::test {
namespace {

using std::chrono::microseconds;
using std::chrono::nanoseconds;

std::int64_t BudgetUs(const AdaptiveSpin& spin) {
  return std::chrono::duration_cast<microseconds>(spin.budget()).count();
}

TEST(AdaptiveSpinStartsAtTheMinimumAndFollowsItsWaits) {
  AdaptiveSpin spin;
  CHECK_EQ(spin.budget().count(), nanoseconds(kSpinBudget).count());

  // A 200 us wait: the next wait may spin twice that.
  spin.Learn(microseconds(200));
  CHECK_EQ(BudgetUs(spin), 400);
  // Shorter waits pull the peak down by an eighth of the difference each: 200 -> 175 -> 153.125.
  spin.Learn(microseconds(0));
  CHECK_EQ(BudgetUs(spin), 350);
  spin.Learn(microseconds(0));
  CHECK_EQ(spin.budget().count(), nanoseconds(306250).count());
  // A longer wait is taken at once.
  spin.Learn(microseconds(300));
  CHECK_EQ(BudgetUs(spin), 600);
  // Twice the peak is capped at kMaxSpin while the peak itself is below it.
  spin.Learn(microseconds(900));
  CHECK_EQ(spin.budget().count(), nanoseconds(kMaxSpin).count());
  // Tiny waits never take the budget below kSpinBudget.
  for (int i = 0; i < 200; ++i) spin.Learn(microseconds(1));
  CHECK_EQ(spin.budget().count(), nanoseconds(kSpinBudget).count());
}

TEST(AdaptiveSpinSpinsTheMinimumWhenWaitsOutlastItsLimitAndRecoversSoon) {
  AdaptiveSpin spin;
  for (int i = 0; i < 5; ++i) spin.Learn(microseconds(100));
  CHECK_EQ(BudgetUs(spin), 200);

  // A ten-second pause (a training update): the event will not come within any spin.
  spin.Learn(std::chrono::seconds(10));
  CHECK_EQ(spin.budget().count(), nanoseconds(kSpinBudget).count());

  // The pause was recorded as at most 2 x kMaxSpin, so a few short waits bring the spin back.
  int waits = 0;
  while (spin.budget() == nanoseconds(kSpinBudget) && waits < 100) {
    spin.Learn(microseconds(100));
    ++waits;
  }
  CHECK(waits <= 6);
  CHECK(spin.budget() > nanoseconds(kSpinBudget));
}

TEST(AdaptiveSpinReturnsWhenItsPredicateHoldsOrItsBudgetIsSpent) {
  // kSpin: the machine running the test may be contended, which would stop a kAuto spin.
  AdaptiveSpin spin(WaitPolicy::kSpin);
  spin.Learn(microseconds(250));  // a budget of 500 us

  // A predicate that holds on its third poll ends the spin there.
  int polls = 0;
  CHECK(spin.Spin(AdaptiveSpin::Clock::now(), [&] { return ++polls == 3; }));
  CHECK_EQ(polls, 3);

  // One that never holds: the spin lasts at least the budget, then answers false.
  auto started = AdaptiveSpin::Clock::now();
  CHECK(!spin.Spin(started, [] { return false; }));
  CHECK(AdaptiveSpin::Clock::now() - started >= microseconds(500));
  // The same with the yielding mode.
  started = AdaptiveSpin::Clock::now();
  CHECK(!spin.Spin<SpinMode::kYield>(started, [] { return false; }));
  CHECK(AdaptiveSpin::Clock::now() - started >= microseconds(500));

  // A limit of zero ends the spin at its first look at the clock (every 64 polls).
  polls = 0;
  CHECK(!spin.Spin(AdaptiveSpin::Clock::now(), [&] { return ++polls < 0; }, nanoseconds(0)));
  CHECK_EQ(polls, 65);
}

TEST(WaitPoliciesDecideWhetherAWaitSpins) {
  const auto now = AdaptiveSpin::Clock::now();
  AdaptiveSpin block(WaitPolicy::kBlock);
  AdaptiveSpin spin(WaitPolicy::kSpin);
  AdaptiveSpin automatic(WaitPolicy::kAuto);
  block.Learn(microseconds(250));

  // kBlock looks once and never spins, whatever it learnt.
  int polls = 0;
  CHECK(!block.Spin(now, [&] { return ++polls < 0; }));
  CHECK_EQ(polls, 1);
  CHECK(!block.Spins(now));

  // While the process is marked contended, kAuto does not spin and kSpin still does; kAuto
  // spins again once the mark is over (an hour on: any real contention's mark is over by then).
  MarkContended(now + std::chrono::milliseconds(1));
  CHECK(Contended(now));
  CHECK(!automatic.Spins(now));
  CHECK(spin.Spins(now));
  const auto later = now + std::chrono::hours(1);
  CHECK(automatic.Spins(later));
  CHECK(!Contended(later));
}

TEST(TwoThreadsSharingOneCoreMarkTheProcessContended) {
  // Wait out any mark another test left (a pool test holds one for a second).
  while (Contended(AdaptiveSpin::Clock::now())) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }

  // Both threads on the first CPU this process may use, each polling and reporting its switches
  // for 200 ms: the scheduler switches each out every few milliseconds to run the other.
  cpu_set_t allowed;
  CHECK_EQ(sched_getaffinity(0, sizeof(allowed), &allowed), 0);
  int cpu = 0;
  while (!CPU_ISSET(cpu, &allowed)) ++cpu;
  const auto until = AdaptiveSpin::Clock::now() + std::chrono::milliseconds(200);
  auto share_the_core = [&] {
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    pthread_setaffinity_np(pthread_self(), sizeof(one), &one);
    for (auto now = AdaptiveSpin::Clock::now(); now < until; now = AdaptiveSpin::Clock::now()) {
      CpuRelax();
      ReportContention(now);
    }
  };
  std::thread first(share_the_core);
  std::thread second(share_the_core);
  first.join();
  second.join();
  // The mark holds for kContentionHold after the last contended report.
  CHECK(Contended(until));
}

}  // namespace
}  // namespace envfleet::test
