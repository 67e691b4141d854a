#include "qianwen/io/gguf.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <set>

namespace qw::io {
namespace {

constexpr uint64_t kMaxCount = 1ull << 24;  // tensors, keys, array elements: far above real files

// ggml_type ids -> our dtypes; the names of those we do not support, for messages.
struct GgmlType {
  uint32_t id;
  const char* name;
  bool supported;
  DType dtype;
};
constexpr GgmlType kGgmlTypes[] = {
    {0, "F32", true, DType::kF32},       {1, "F16", true, DType::kF16},
    {2, "Q4_0", true, DType::kQ4_0},     {3, "Q4_1", true, DType::kQ4_1},
    {6, "Q5_0", true, DType::kQ5_0},     {7, "Q5_1", true, DType::kQ5_1},
    {8, "Q8_0", true, DType::kQ8_0},     {9, "Q8_1", false, DType::kF32},
    {10, "Q2_K", true, DType::kQ2_K},    {11, "Q3_K", true, DType::kQ3_K},
    {12, "Q4_K", true, DType::kQ4_K},    {13, "Q5_K", true, DType::kQ5_K},
    {14, "Q6_K", true, DType::kQ6_K},    {15, "Q8_K", false, DType::kF32},
    {16, "IQ2_XXS", false, DType::kF32}, {17, "IQ2_XS", false, DType::kF32},
    {18, "IQ3_XXS", false, DType::kF32}, {19, "IQ1_S", false, DType::kF32},
    {20, "IQ4_NL", false, DType::kF32},  {21, "IQ3_S", false, DType::kF32},
    {22, "IQ2_S", false, DType::kF32},   {23, "IQ4_XS", false, DType::kF32},
    {24, "I8", false, DType::kF32},      {25, "I16", false, DType::kF32},
    {26, "I32", false, DType::kF32},     {27, "I64", false, DType::kF32},
    {28, "F64", false, DType::kF32},     {29, "IQ1_M", false, DType::kF32},
    {30, "BF16", true, DType::kBF16},    {34, "TQ1_0", false, DType::kF32},
    {35, "TQ2_0", false, DType::kF32},   {39, "MXFP4", false, DType::kF32},
};

class Reader {
 public:
  Reader(const uint8_t* p, uint64_t size, const std::string& path)
      : p_(p), size_(size), path_(path) {}
  uint64_t pos() const { return pos_; }

  Status Need(uint64_t n, const char* what) {
    if (n > size_ - pos_) {
      return Corrupt(path_ + ": " + what + " at offset " + std::to_string(pos_) + " needs " +
                     std::to_string(n) + " bytes, past the end of the file (" +
                     std::to_string(size_) + " bytes; truncated?)");
    }
    return OkStatus();
  }
  template <typename T>
  Result<T> Get(const char* what) {
    QW_TRY(Need(sizeof(T), what));
    T v;
    std::memcpy(&v, p_ + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  Result<std::string_view> StrView(const char* what) {
    QW_ASSIGN_OR_RETURN(uint64_t n, Get<uint64_t>(what));
    QW_TRY(Need(n, what));
    std::string_view s(reinterpret_cast<const char*>(p_ + pos_), n);
    pos_ += n;
    return s;
  }
  Result<std::string> Str(const char* what) {
    QW_ASSIGN_OR_RETURN(uint64_t n, Get<uint64_t>(what));
    QW_TRY(Need(n, what));
    std::string s(reinterpret_cast<const char*>(p_ + pos_), n);
    pos_ += n;
    return s;
  }
  Status Error(const std::string& m) const { return Corrupt(path_ + ": " + m); }

 private:
  const uint8_t* p_;
  uint64_t size_;
  uint64_t pos_ = 0;
  const std::string& path_;
};

Result<GgufValue> ReadScalar(Reader& r, GgufType t, const std::string& key, GgufValue* into) {
  GgufValue v;
  v.type = t;
  switch (t) {
    case GgufType::kU8: {
      QW_ASSIGN_OR_RETURN(uint8_t x, r.Get<uint8_t>("value"));
      v.i = x;
      break;
    }
    case GgufType::kI8: {
      QW_ASSIGN_OR_RETURN(int8_t x, r.Get<int8_t>("value"));
      v.i = x;
      break;
    }
    case GgufType::kU16: {
      QW_ASSIGN_OR_RETURN(uint16_t x, r.Get<uint16_t>("value"));
      v.i = x;
      break;
    }
    case GgufType::kI16: {
      QW_ASSIGN_OR_RETURN(int16_t x, r.Get<int16_t>("value"));
      v.i = x;
      break;
    }
    case GgufType::kU32: {
      QW_ASSIGN_OR_RETURN(uint32_t x, r.Get<uint32_t>("value"));
      v.i = x;
      break;
    }
    case GgufType::kI32: {
      QW_ASSIGN_OR_RETURN(int32_t x, r.Get<int32_t>("value"));
      v.i = x;
      break;
    }
    case GgufType::kI64: {
      QW_ASSIGN_OR_RETURN(int64_t x, r.Get<int64_t>("value"));
      v.i = x;
      break;
    }
    case GgufType::kU64: {
      QW_ASSIGN_OR_RETURN(uint64_t x, r.Get<uint64_t>("value"));
      if (x > static_cast<uint64_t>(INT64_MAX))
        return r.Error("key '" + key + "': u64 value too large");
      v.i = static_cast<int64_t>(x);
      break;
    }
    case GgufType::kF32: {
      QW_ASSIGN_OR_RETURN(float x, r.Get<float>("value"));
      v.f = x;
      break;
    }
    case GgufType::kF64: {
      QW_ASSIGN_OR_RETURN(double x, r.Get<double>("value"));
      v.f = x;
      break;
    }
    case GgufType::kBool: {
      QW_ASSIGN_OR_RETURN(uint8_t x, r.Get<uint8_t>("value"));
      if (x > 1) return r.Error("key '" + key + "': bool value " + std::to_string(x));
      v.i = x;
      break;
    }
    case GgufType::kString: {
      QW_ASSIGN_OR_RETURN(v.s, r.Str("string value"));
      break;
    }
    default:
      return r.Error("key '" + key + "': unknown value type " +
                     std::to_string(static_cast<uint32_t>(t)));
  }
  (void)into;
  return v;
}

size_t ScalarSize(GgufType t) {
  switch (t) {
    case GgufType::kU8:
    case GgufType::kI8:
    case GgufType::kBool:
      return 1;
    case GgufType::kU16:
    case GgufType::kI16:
      return 2;
    case GgufType::kU32:
    case GgufType::kI32:
    case GgufType::kF32:
      return 4;
    case GgufType::kU64:
    case GgufType::kI64:
    case GgufType::kF64:
      return 8;
    case GgufType::kString:
      return 8;  // at least the length field
    default:
      return 0;
  }
}

Result<GgufValue> ReadValue(Reader& r, const std::string& key) {
  QW_ASSIGN_OR_RETURN(uint32_t traw, r.Get<uint32_t>("value type"));
  GgufType t = static_cast<GgufType>(traw);
  if (traw > 12) return r.Error("key '" + key + "': unknown value type " + std::to_string(traw));
  if (t != GgufType::kArray) return ReadScalar(r, t, key, nullptr);
  GgufValue v;
  v.type = GgufType::kArray;
  QW_ASSIGN_OR_RETURN(uint32_t eraw, r.Get<uint32_t>("array type"));
  if (eraw > 12)
    return r.Error("key '" + key + "': unknown array element type " + std::to_string(eraw));
  v.elem = static_cast<GgufType>(eraw);
  if (v.elem == GgufType::kArray)
    return Unsupported(r.Error("key '" + key + "': nested arrays are not supported").message());
  QW_ASSIGN_OR_RETURN(uint64_t n, r.Get<uint64_t>("array length"));
  if (n > kMaxCount)
    return r.Error("key '" + key + "': array length " + std::to_string(n) + " is implausible");
  QW_TRY(r.Need(n * ScalarSize(v.elem), "array"));
  if (v.elem == GgufType::kString) v.strs.reserve(n);
  for (uint64_t k = 0; k < n; ++k) {
    if (v.elem == GgufType::kString) {
      QW_ASSIGN_OR_RETURN(std::string_view sv, r.StrView("string value"));
      v.strs.push_back(sv);  // a view into the mapping, not a copy
      continue;
    }
    QW_ASSIGN_OR_RETURN(GgufValue e, ReadScalar(r, v.elem, key, nullptr));
    if (v.elem == GgufType::kF32 || v.elem == GgufType::kF64)
      v.floats.push_back(e.f);
    else
      v.ints.push_back(e.i);
  }
  return v;
}

}  // namespace

Result<std::shared_ptr<GgufFile>> GgufFile::Open(const std::string& path, const FileLoad& how) {
  QW_ASSIGN_OR_RETURN(MappedFile f, MappedFile::Open(path, how));
  return Parse(std::move(f), path);
}

Result<std::shared_ptr<GgufFile>> GgufFile::Parse(MappedFile file, const std::string& path) {
  auto g = std::shared_ptr<GgufFile>(new GgufFile());
  g->file_ = std::move(file);
  g->path_ = path;
  Reader r(g->file_.data(), g->file_.size(), g->path_);
  QW_ASSIGN_OR_RETURN(uint32_t magic, r.Get<uint32_t>("magic"));
  if (magic != 0x46554747u) return r.Error("not a GGUF file (bad magic)");
  QW_ASSIGN_OR_RETURN(g->version_, r.Get<uint32_t>("version"));
  if (g->version_ != 2 && g->version_ != 3) {
    return Unsupported(path + ": GGUF version " + std::to_string(g->version_) +
                       " is not supported (2 or 3)");
  }
  QW_ASSIGN_OR_RETURN(uint64_t n_tensors, r.Get<uint64_t>("tensor count"));
  QW_ASSIGN_OR_RETURN(uint64_t n_kv, r.Get<uint64_t>("metadata count"));
  if (n_tensors > kMaxCount || n_kv > kMaxCount) {
    return r.Error("tensor count " + std::to_string(n_tensors) + " or metadata count " +
                   std::to_string(n_kv) + " is implausible");
  }
  for (uint64_t k = 0; k < n_kv; ++k) {
    QW_ASSIGN_OR_RETURN(std::string key, r.Str("metadata key"));
    QW_ASSIGN_OR_RETURN(GgufValue v, ReadValue(r, key));
    if (!g->kv_.emplace(key, std::move(v)).second)
      return r.Error("metadata key '" + key + "' appears twice");
  }
  for (uint64_t k = 0; k < n_tensors; ++k) {
    GgufTensor t;
    QW_ASSIGN_OR_RETURN(t.name, r.Str("tensor name"));
    QW_ASSIGN_OR_RETURN(uint32_t n_dims, r.Get<uint32_t>("tensor dims"));
    if (n_dims == 0 || n_dims > 4)
      return r.Error("tensor '" + t.name + "': " + std::to_string(n_dims) + " dimensions");
    std::vector<int64_t> ne;
    for (uint32_t d = 0; d < n_dims; ++d) {
      QW_ASSIGN_OR_RETURN(uint64_t x, r.Get<uint64_t>("tensor dim"));
      if (x == 0 || x > (1ull << 40))
        return r.Error("tensor '" + t.name + "': dimension " + std::to_string(x) + " is invalid");
      ne.push_back(static_cast<int64_t>(x));
    }
    QW_ASSIGN_OR_RETURN(uint32_t type, r.Get<uint32_t>("tensor type"));
    const GgmlType* gt = nullptr;
    for (const auto& x : kGgmlTypes)
      if (x.id == type) gt = &x;
    if (!gt)
      return Unsupported(path + ": tensor '" + t.name + "' has unknown ggml type " +
                         std::to_string(type));
    if (!gt->supported) {
      return Unsupported(path + ": tensor '" + t.name + "' has type " + gt->name + " (" +
                         std::to_string(type) + "), which is not supported");
    }
    t.dtype = gt->dtype;
    QW_ASSIGN_OR_RETURN(t.offset, r.Get<uint64_t>("tensor offset"));
    t.shape.assign(ne.rbegin(), ne.rend());
    size_t row;
    if (!RowBytes(t.dtype, ne[0], &row)) {
      return r.Error("tensor '" + t.name + "': row length " + std::to_string(ne[0]) +
                     " is not a multiple of the " + std::string(DTypeName(t.dtype)) + " block (" +
                     std::to_string(DTypeBlockElements(t.dtype)) + ")");
    }
    uint64_t rows = 1;
    for (size_t d = 1; d < ne.size(); ++d) {
      if (rows > (1ull << 40) / static_cast<uint64_t>(ne[d]))
        return r.Error("tensor '" + t.name + "': size overflows");
      rows *= static_cast<uint64_t>(ne[d]);
    }
    if (row != 0 && rows > (1ull << 50) / row)
      return r.Error("tensor '" + t.name + "': size overflows");
    t.nbytes = rows * row;
    if (!g->tensor_index_.emplace(t.name, g->tensors_.size()).second) {
      return r.Error("tensor '" + t.name + "' appears twice");
    }
    g->tensors_.push_back(std::move(t));
  }
  uint64_t align = 32;
  if (const GgufValue* a = g->Find("general.alignment")) {
    if (!a->is_int() || a->i <= 0 || (a->i & (a->i - 1)) != 0 || a->i > 65536) {
      return r.Error("general.alignment must be a power of two");
    }
    align = static_cast<uint64_t>(a->i);
  }
  g->data_start_ = (r.pos() + align - 1) / align * align;
  if (g->data_start_ > g->file_.size())
    return r.Error("data section starts past the end of the file");
  const uint64_t data_size = g->file_.size() - g->data_start_;
  std::vector<const GgufTensor*> order;
  for (const auto& t : g->tensors_) {
    if (t.offset % align != 0) {
      return r.Error("tensor '" + t.name + "': offset " + std::to_string(t.offset) +
                     " is not aligned to " + std::to_string(align));
    }
    if (t.offset > data_size || t.nbytes > data_size - t.offset) {
      return r.Error("tensor '" + t.name + "': data [" + std::to_string(t.offset) + ", " +
                     std::to_string(t.offset + t.nbytes) +
                     ") is past the end of the data section (" + std::to_string(data_size) +
                     " bytes; truncated?)");
    }
    order.push_back(&t);
  }
  std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->offset < b->offset; });
  for (size_t k = 1; k < order.size(); ++k) {
    if (order[k]->offset < order[k - 1]->offset + order[k - 1]->nbytes) {
      return r.Error("tensors '" + order[k - 1]->name + "' and '" + order[k]->name + "' overlap");
    }
  }
  return g;
}

const GgufValue* GgufFile::Find(const std::string& key) const {
  auto it = kv_.find(key);
  return it == kv_.end() ? nullptr : &it->second;
}

const GgufTensor* GgufFile::FindTensor(const std::string& name) const {
  auto it = tensor_index_.find(name);
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

TensorView GgufFile::View(const GgufTensor& t) const {
  return {t.dtype, t.shape, file_.data() + data_start_ + t.offset, t.nbytes};
}

Result<std::string> GgufFile::GetString(const std::string& key) const {
  const GgufValue* v = Find(key);
  if (!v) return NotFound(path_ + ": metadata key '" + key + "' is missing");
  if (v->type != GgufType::kString)
    return Corrupt(path_ + ": metadata key '" + key + "' is not a string");
  return v->s;
}

Result<int64_t> GgufFile::GetInt(const std::string& key) const {
  const GgufValue* v = Find(key);
  if (!v) return NotFound(path_ + ": metadata key '" + key + "' is missing");
  if (!v->is_int()) return Corrupt(path_ + ": metadata key '" + key + "' is not an integer");
  return v->i;
}

Result<double> GgufFile::GetFloat(const std::string& key) const {
  const GgufValue* v = Find(key);
  if (!v) return NotFound(path_ + ": metadata key '" + key + "' is missing");
  if (v->is_float()) return v->f;
  if (v->is_int()) return static_cast<double>(v->i);
  return Corrupt(path_ + ": metadata key '" + key + "' is not a number");
}

bool LooksLikeGguf(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char m[4] = {};
  in.read(m, 4);
  return in.gcount() == 4 && std::memcmp(m, "GGUF", 4) == 0;
}

namespace {

// llama.cpp tensor name suffixes <-> Hugging Face names, per layer.
constexpr const char* kLayerNames[][2] = {
    {"attn_norm.weight", "input_layernorm.weight"},
    {"ffn_norm.weight", "post_attention_layernorm.weight"},
    {"attn_q.weight", "self_attn.q_proj.weight"},
    {"attn_q.bias", "self_attn.q_proj.bias"},
    {"attn_k.weight", "self_attn.k_proj.weight"},
    {"attn_k.bias", "self_attn.k_proj.bias"},
    {"attn_v.weight", "self_attn.v_proj.weight"},
    {"attn_v.bias", "self_attn.v_proj.bias"},
    {"attn_output.weight", "self_attn.o_proj.weight"},
    {"attn_output.bias", "self_attn.o_proj.bias"},
    {"attn_q_norm.weight", "self_attn.q_norm.weight"},
    {"attn_k_norm.weight", "self_attn.k_norm.weight"},
    {"ffn_gate.weight", "mlp.gate_proj.weight"},
    {"ffn_up.weight", "mlp.up_proj.weight"},
    {"ffn_down.weight", "mlp.down_proj.weight"},
    {"ffn_gate_inp.weight", "mlp.gate.weight"},
};
constexpr const char* kGlobalNames[][2] = {
    {"token_embd.weight", "model.embed_tokens.weight"},
    {"output_norm.weight", "model.norm.weight"},
    {"output.weight", "lm_head.weight"},
};

std::string HfNameOf(const std::string& g) {
  for (const auto& n : kGlobalNames)
    if (g == n[0]) return n[1];
  if (g.rfind("blk.", 0) == 0) {
    size_t dot = g.find('.', 4);
    if (dot != std::string::npos) {
      std::string layer = g.substr(4, dot - 4), rest = g.substr(dot + 1);
      for (const auto& n : kLayerNames)
        if (rest == n[0]) return "model.layers." + layer + "." + n[1];
    }
  }
  return g;
}

class GgufSource : public WeightSource {
 public:
  explicit GgufSource(std::shared_ptr<const GgufFile> f) : f_(std::move(f)) {
    for (const auto& t : f_->tensors()) views_[HfNameOf(t.name)] = f_->View(t);
  }
  const TensorView* Find(const std::string& name) const override {
    auto it = views_.find(name);
    return it == views_.end() ? nullptr : &it->second;
  }
  std::string Where(const std::string& name) const override { return f_->path(); }
  std::vector<std::string> Names() const override {
    std::vector<std::string> out;
    for (const auto& [k, v] : views_) out.push_back(k);
    return out;
  }

 private:
  std::shared_ptr<const GgufFile> f_;
  std::map<std::string, TensorView> views_;
};

}  // namespace

std::unique_ptr<WeightSource> GgufWeights(std::shared_ptr<const GgufFile> file) {
  return std::make_unique<GgufSource>(std::move(file));
}

std::string GgufNameOf(const std::string& hf) {
  for (const auto& n : kGlobalNames)
    if (hf == n[1]) return n[0];
  const std::string p = "model.layers.";
  if (hf.rfind(p, 0) == 0) {
    size_t dot = hf.find('.', p.size());
    if (dot != std::string::npos) {
      std::string layer = hf.substr(p.size(), dot - p.size()), rest = hf.substr(dot + 1);
      for (const auto& n : kLayerNames)
        if (rest == n[1]) return "blk." + layer + "." + n[0];
    }
  }
  return "";
}

}  // namespace qw::io
