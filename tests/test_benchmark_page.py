"""benchmark.write_page_section: each benchmark script owns one section of docs/benchmarks.md."""

from __future__ import annotations

from envfleet import benchmark


def test_sections_are_appended_then_replaced_in_place(tmp_path):
    page = tmp_path / "benchmarks.md"
    benchmark.write_page_section(page, "cartpole", "## CartPole\n\nold")
    benchmark.write_page_section(page, "atari", "## Atari\n\nfirst")
    benchmark.write_page_section(page, "cartpole", "## CartPole\n\nnew")
    text = page.read_text()
    assert text.startswith(benchmark.PAGE_TITLE)
    assert "old" not in text
    assert text.index("## CartPole\n\nnew") < text.index("## Atari\n\nfirst")
    assert text.count("<!-- cartpole:begin -->") == 1 and text.count("<!-- atari:end -->") == 1
