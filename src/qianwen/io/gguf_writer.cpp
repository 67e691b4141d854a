#include "qianwen/io/gguf_writer.h"

#include <cstdio>
#include <cstring>
#include <memory>

namespace qw::io {
namespace {

constexpr uint64_t kAlign = 32;

template <typename T>
void Put(std::vector<uint8_t>* b, T v) {
  uint8_t tmp[sizeof(T)];
  std::memcpy(tmp, &v, sizeof(T));
  b->insert(b->end(), tmp, tmp + sizeof(T));
}

void PutStr(std::vector<uint8_t>* b, std::string_view s) {
  Put<uint64_t>(b, s.size());
  b->insert(b->end(), s.begin(), s.end());
}

}  // namespace

uint32_t GgmlTypeId(DType t) {
  switch (t) {
    case DType::kF32:
      return 0;
    case DType::kF16:
      return 1;
    case DType::kQ4_0:
      return 2;
    case DType::kQ4_1:
      return 3;
    case DType::kQ5_0:
      return 6;
    case DType::kQ5_1:
      return 7;
    case DType::kQ8_0:
      return 8;
    case DType::kQ2_K:
      return 10;
    case DType::kQ3_K:
      return 11;
    case DType::kQ4_K:
      return 12;
    case DType::kQ5_K:
      return 13;
    case DType::kQ6_K:
      return 14;
    case DType::kBF16:
      return 30;
    default:
      return 0xffffffffu;
  }
}

void GgufWriter::AddString(const std::string& key, const std::string& v) {
  PutStr(&kv_, key);
  Put<uint32_t>(&kv_, static_cast<uint32_t>(GgufType::kString));
  PutStr(&kv_, v);
  ++n_kv_;
}
void GgufWriter::AddU32(const std::string& key, uint32_t v) {
  PutStr(&kv_, key);
  Put<uint32_t>(&kv_, static_cast<uint32_t>(GgufType::kU32));
  Put<uint32_t>(&kv_, v);
  ++n_kv_;
}
void GgufWriter::AddI32(const std::string& key, int32_t v) {
  PutStr(&kv_, key);
  Put<uint32_t>(&kv_, static_cast<uint32_t>(GgufType::kI32));
  Put<int32_t>(&kv_, v);
  ++n_kv_;
}
void GgufWriter::AddF32(const std::string& key, float v) {
  PutStr(&kv_, key);
  Put<uint32_t>(&kv_, static_cast<uint32_t>(GgufType::kF32));
  Put<float>(&kv_, v);
  ++n_kv_;
}
void GgufWriter::AddBool(const std::string& key, bool v) {
  PutStr(&kv_, key);
  Put<uint32_t>(&kv_, static_cast<uint32_t>(GgufType::kBool));
  Put<uint8_t>(&kv_, v ? 1 : 0);
  ++n_kv_;
}
void GgufWriter::AddStringArray(const std::string& key, const std::vector<std::string>& v) {
  PutStr(&kv_, key);
  Put<uint32_t>(&kv_, static_cast<uint32_t>(GgufType::kArray));
  Put<uint32_t>(&kv_, static_cast<uint32_t>(GgufType::kString));
  Put<uint64_t>(&kv_, v.size());
  for (const auto& s : v) PutStr(&kv_, s);
  ++n_kv_;
}
void GgufWriter::AddI32Array(const std::string& key, const std::vector<int32_t>& v) {
  PutStr(&kv_, key);
  Put<uint32_t>(&kv_, static_cast<uint32_t>(GgufType::kArray));
  Put<uint32_t>(&kv_, static_cast<uint32_t>(GgufType::kI32));
  Put<uint64_t>(&kv_, v.size());
  for (int32_t x : v) Put<int32_t>(&kv_, x);
  ++n_kv_;
}

void GgufWriter::AddValue(const std::string& key, const GgufValue& v) {
  PutStr(&kv_, key);
  Put<uint32_t>(&kv_, static_cast<uint32_t>(v.type));
  auto scalar = [&](GgufType t, int64_t i, double f, std::string_view s) {
    switch (t) {
      case GgufType::kU8:
        Put<uint8_t>(&kv_, static_cast<uint8_t>(i));
        break;
      case GgufType::kI8:
        Put<int8_t>(&kv_, static_cast<int8_t>(i));
        break;
      case GgufType::kU16:
        Put<uint16_t>(&kv_, static_cast<uint16_t>(i));
        break;
      case GgufType::kI16:
        Put<int16_t>(&kv_, static_cast<int16_t>(i));
        break;
      case GgufType::kU32:
        Put<uint32_t>(&kv_, static_cast<uint32_t>(i));
        break;
      case GgufType::kI32:
        Put<int32_t>(&kv_, static_cast<int32_t>(i));
        break;
      case GgufType::kU64:
        Put<uint64_t>(&kv_, static_cast<uint64_t>(i));
        break;
      case GgufType::kI64:
        Put<int64_t>(&kv_, i);
        break;
      case GgufType::kBool:
        Put<uint8_t>(&kv_, i ? 1 : 0);
        break;
      case GgufType::kF32:
        Put<float>(&kv_, static_cast<float>(f));
        break;
      case GgufType::kF64:
        Put<double>(&kv_, f);
        break;
      case GgufType::kString:
        PutStr(&kv_, s);
        break;
      default:
        break;
    }
  };
  if (v.type != GgufType::kArray) {
    scalar(v.type, v.i, v.f, v.s);
  } else {
    Put<uint32_t>(&kv_, static_cast<uint32_t>(v.elem));
    const size_t n = v.strs.size() + v.ints.size() + v.floats.size();
    Put<uint64_t>(&kv_, n);
    for (const auto& s : v.strs) scalar(v.elem, 0, 0, s);
    for (int64_t x : v.ints) scalar(v.elem, x, 0, "");
    for (double x : v.floats) scalar(v.elem, 0, x, "");
  }
  ++n_kv_;
}

Status GgufWriter::AddTensor(const std::string& name, DType dtype, const Shape& shape,
                             Producer produce) {
  if (shape.empty() || shape.size() > 4)
    return InvalidArgument("tensor '" + name + "': rank must be 1..4");
  size_t row;
  if (!RowBytes(dtype, shape.back(), &row)) {
    return InvalidArgument("tensor '" + name + "': row of " + std::to_string(shape.back()) +
                           " is not a multiple of the " + std::string(DTypeName(dtype)) + " block");
  }
  uint64_t rows = 1;
  for (size_t d = 0; d + 1 < shape.size(); ++d) rows *= static_cast<uint64_t>(shape[d]);
  tensors_.push_back({name, dtype, shape, rows * row, std::move(produce)});
  return OkStatus();
}

Status GgufWriter::Write(const std::string& path) const {
  std::vector<uint8_t> head;
  Put<uint32_t>(&head, 0x46554747u);
  Put<uint32_t>(&head, 3);
  Put<uint64_t>(&head, tensors_.size());
  Put<uint64_t>(&head, n_kv_);
  head.insert(head.end(), kv_.begin(), kv_.end());
  uint64_t offset = 0;
  for (const auto& t : tensors_) {
    PutStr(&head, t.name);
    Put<uint32_t>(&head, static_cast<uint32_t>(t.shape.size()));
    for (auto it = t.shape.rbegin(); it != t.shape.rend(); ++it)
      Put<uint64_t>(&head, static_cast<uint64_t>(*it));
    Put<uint32_t>(&head, GgmlTypeId(t.dtype));
    Put<uint64_t>(&head, offset);
    offset += (t.nbytes + kAlign - 1) / kAlign * kAlign;
  }
  head.resize((head.size() + kAlign - 1) / kAlign * kAlign, 0);
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "wb"), &std::fclose);
  if (!f) return IoError(path + ": cannot open for writing");
  if (std::fwrite(head.data(), 1, head.size(), f.get()) != head.size())
    return IoError(path + ": write failed");
  std::vector<uint8_t> data;
  static const uint8_t kZeros[kAlign] = {};
  for (const auto& t : tensors_) {
    data.clear();
    QW_TRY(t.produce(&data));
    if (data.size() != t.nbytes) {
      return Internal("tensor '" + t.name + "': produced " + std::to_string(data.size()) +
                      " bytes, expected " + std::to_string(t.nbytes));
    }
    if (std::fwrite(data.data(), 1, data.size(), f.get()) != data.size())
      return IoError(path + ": write failed");
    size_t pad = (kAlign - data.size() % kAlign) % kAlign;
    if (pad && std::fwrite(kZeros, 1, pad, f.get()) != pad) return IoError(path + ": write failed");
  }
  if (std::fflush(f.get()) != 0) return IoError(path + ": write failed (disk full?)");
  return OkStatus();
}

}  // namespace qw::io
