#include "envfleet/python/xla_ffi.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "envfleet/core/batch.h"
#include "envfleet/core/pool.h"
#include "xla/ffi/api/ffi.h"

namespace ffi = xla::ffi;

namespace envfleet::python {
namespace {

// Copies `count` values from `source` (of `from` dtype) into `target` (of `to` dtype), where the
// two differ only in width (float64 <-> float32, int64 <-> int32).
template <typename From, typename To>
void Convert(const void* source, void* target, std::size_t count) {
  const From* in = static_cast<const From*>(source);
  To* out = static_cast<To*>(target);
  for (std::size_t i = 0; i < count; ++i) out[i] = static_cast<To>(in[i]);
}

// Copies `count` values of dtype `from` into an XLA buffer of element type `to`.
ffi::Error CopyValues(const void* source, DType from, void* target, ffi::DataType to,
                      std::size_t count) {
  // Same width: the bytes as they are.
  if (ffi::ByteWidth(to) == DTypeSize(from)) {
    std::memcpy(target, source, count * DTypeSize(from));
    return ffi::Error::Success();
  }
  // A 64-bit value into a 32-bit buffer, or back.
  if (from == DType::kFloat64 && to == ffi::DataType::F32) {
    Convert<double, float>(source, target, count);
  } else if (from == DType::kInt64 && to == ffi::DataType::S32) {
    Convert<std::int64_t, std::int32_t>(source, target, count);
  } else {
    return ffi::Error::InvalidArgument("envfleet xla: no conversion for this result's dtype");
  }
  return ffi::Error::Success();
}

Pool* PoolAt(std::uint64_t handle) { return reinterpret_cast<Pool*>(handle); }

ffi::Error Recv(ffi::AnyBuffer token, ffi::RemainingRets results, std::uint64_t handle) {
  try {
    Pool* pool = PoolAt(handle);
    BatchHandle batch = pool->Recv();

    // Result 0: the token, passed through.
    ffi::ErrorOr<ffi::Result<ffi::AnyBuffer>> token_out = results.get<ffi::AnyBuffer>(0);
    if (token_out.has_error()) return token_out.error();
    std::memcpy((*token_out)->untyped_data(), token.untyped_data(), token.size_bytes());

    // Results 1..: the batch's fields, in layout order.
    const std::vector<BatchField>& fields = batch->layout().fields();
    if (results.size() != fields.size() + 1) {
      return ffi::Error::InvalidArgument("envfleet xla: recv expects " +
                                         std::to_string(fields.size() + 1) + " results");
    }
    for (std::size_t f = 0; f < fields.size(); ++f) {
      ffi::ErrorOr<ffi::Result<ffi::AnyBuffer>> out = results.get<ffi::AnyBuffer>(f + 1);
      if (out.has_error()) return out.error();
      const std::size_t count = fields[f].row_bytes / DTypeSize(fields[f].dtype) *
                                static_cast<std::size_t>(batch->rows());
      if ((*out)->element_count() != count) {
        return ffi::Error::InvalidArgument("envfleet xla: result " + fields[f].name +
                                           " has the wrong size");
      }
      ffi::Error copied = CopyValues(batch->At<std::byte>(static_cast<int>(f), 0), fields[f].dtype,
                                     (*out)->untyped_data(), (*out)->element_type(), count);
      if (copied.failure()) return copied;
    }
    return ffi::Error::Success();
  } catch (const std::exception& error) {
    return ffi::Error::Internal(std::string("envfleet xla recv: ") + error.what());
  }
}

ffi::Error Send(ffi::AnyBuffer token, ffi::AnyBuffer actions, ffi::Buffer<ffi::S32> env_ids,
                ffi::Result<ffi::AnyBuffer> token_out, std::uint64_t handle) {
  try {
    Pool* pool = PoolAt(handle);
    std::memcpy(token_out->untyped_data(), token.untyped_data(), token.size_bytes());
    const int n = static_cast<int>(env_ids.element_count());

    // The actions in the action spec's dtype (JAX without x64 gives int32 / float32).
    const DType dtype = pool->spec().action.dtype;
    const std::size_t count = actions.element_count();
    std::vector<std::byte> converted(count * DTypeSize(dtype));
    const void* data = actions.untyped_data();
    if (ffi::ByteWidth(actions.element_type()) != DTypeSize(dtype)) {
      if (dtype == DType::kInt64 && actions.element_type() == ffi::DataType::S32) {
        Convert<std::int32_t, std::int64_t>(data, converted.data(), count);
      } else if (dtype == DType::kFloat32 && actions.element_type() == ffi::DataType::F64) {
        Convert<double, float>(data, converted.data(), count);
      } else if (dtype == DType::kFloat64 && actions.element_type() == ffi::DataType::F32) {
        Convert<float, double>(data, converted.data(), count);
      } else {
        return ffi::Error::InvalidArgument("envfleet xla: actions of an unsupported dtype");
      }
      data = converted.data();
    }
    pool->SendStep(data, env_ids.typed_data(), n);
    return ffi::Error::Success();
  } catch (const std::exception& error) {
    return ffi::Error::Internal(std::string("envfleet xla send: ") + error.what());
  }
}

}  // namespace

XLA_FFI_DEFINE_HANDLER_SYMBOL(
    EnvfleetXlaRecv, Recv,
    ffi::Ffi::Bind().Arg<ffi::AnyBuffer>().RemainingRets().Attr<std::uint64_t>("handle"));

XLA_FFI_DEFINE_HANDLER_SYMBOL(EnvfleetXlaSend, Send,
                              ffi::Ffi::Bind()
                                  .Arg<ffi::AnyBuffer>()
                                  .Arg<ffi::AnyBuffer>()
                                  .Arg<ffi::Buffer<ffi::S32>>()
                                  .Ret<ffi::AnyBuffer>()
                                  .Attr<std::uint64_t>("handle"));

pybind11::dict XlaHandlers() {
  pybind11::dict handlers;
  handlers["recv"] = pybind11::capsule(reinterpret_cast<void*>(&EnvfleetXlaRecv));
  handlers["send"] = pybind11::capsule(reinterpret_cast<void*>(&EnvfleetXlaSend));
  return handlers;
}

}  // namespace envfleet::python
