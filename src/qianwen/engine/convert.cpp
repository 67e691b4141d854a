#include "qianwen/engine/convert.h"

#include <cmath>
#include <filesystem>
#include <map>

#include "qianwen/core/mapped_file.h"
#include "qianwen/core/thread_pool.h"
#include "qianwen/io/gguf.h"
#include "qianwen/io/gguf_writer.h"
#include "qianwen/io/tokenizer_config.h"
#include "qianwen/kernels/ops.h"
#include "qianwen/kernels/quant/quantize.h"
#include "qianwen/model/model.h"
#include "qianwen/tokenizer/tokenizer_json.h"

namespace qw::engine {
namespace fs = std::filesystem;

namespace {

struct Target {
  const char* name;
  DType base;          // the type of ordinary matrices
  uint32_t file_type;  // general.file_type (llama_ftype)
};
constexpr Target kTargets[] = {
    {"f32", DType::kF32, 0},    {"f16", DType::kF16, 1},   {"bf16", DType::kBF16, 32},
    {"q8_0", DType::kQ8_0, 7},  {"q4_0", DType::kQ4_0, 2}, {"q4_k_m", DType::kQ4_K, 15},
    {"q6_k", DType::kQ6_K, 18},
};

// llama.cpp's use_more_bits: the first and last eighth of the layers and every third between.
bool UseMoreBits(int64_t i, int64_t n) {
  return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2;
}

// A K-quant on a row that is not a multiple of 256 falls back as llama-quantize does.
DType Fallback(DType t, int64_t cols) {
  if (cols % 256 == 0) return t;
  switch (t) {
    case DType::kQ4_K:
      return DType::kQ5_0;
    case DType::kQ6_K:
      return DType::kQ8_0;
    default:
      return t;
  }
}

DType ChooseType(const Target& tg, const std::string& hf, const Shape& shape,
                 const model::ModelConfig& c) {
  if (shape.size() < 2) return DType::kF32;  // norms and biases stay F32
  const int64_t cols = shape.back();
  if (tg.base == DType::kF32 || tg.base == DType::kF16 || tg.base == DType::kBF16) return tg.base;
  const bool output =
      hf == "lm_head.weight" || (c.tie_word_embeddings && hf == "model.embed_tokens.weight");
  DType t = tg.base;
  if (output && tg.base != DType::kQ8_0) t = DType::kQ6_K;
  if (tg.base == DType::kQ4_K) {
    int64_t layer = -1;
    if (hf.rfind("model.layers.", 0) == 0) layer = std::stoll(hf.substr(13));
    const bool wv = hf.find("self_attn.v_proj.weight") != std::string::npos;
    const bool down = hf.find("mlp.down_proj.weight") != std::string::npos;
    if ((wv || down) && layer >= 0 && UseMoreBits(layer, c.num_layers)) t = DType::kQ6_K;
  }
  t = Fallback(t, cols);
  if (DTypeBlockElements(t) > 1 && cols % static_cast<int64_t>(DTypeBlockElements(t)) != 0)
    t = DType::kF16;
  return t;
}

std::string NameFromFolder(const std::string& path) {
  std::string base = fs::path(path).filename().string();
  if (base.empty()) base = fs::path(path).parent_path().filename().string();
  std::string out;
  bool start = true;
  for (char ch : base) {
    if (ch == '-' || ch == '_') {
      out.push_back(' ');
      start = true;
    } else {
      out.push_back(start ? static_cast<char>(std::toupper(static_cast<unsigned char>(ch))) : ch);
      start = false;
    }
  }
  return out;
}

std::string SizeLabel(int64_t params) {
  char b[32];
  if (params < 1000000000)
    std::snprintf(b, sizeof(b), "%.0fM", std::round(static_cast<double>(params) / 1e6));
  else
    std::snprintf(b, sizeof(b), "%.1fB", static_cast<double>(params) / 1e9);
  return b;
}

// The tokenizer metadata of a Hugging Face folder, the way llama.cpp's converter writes it.
Status AddFolderTokenizer(const std::string& dir, const model::Model& m, io::GgufWriter* w) {
  QW_ASSIGN_OR_RETURN(tokenizer::TokenizerSpec spec,
                      tokenizer::ReadTokenizerJson((fs::path(dir) / "tokenizer.json").string()));
  io::TokenizerConfig tc;
  std::error_code ec;
  if (fs::exists(fs::path(dir) / "tokenizer_config.json", ec)) {
    QW_ASSIGN_OR_RETURN(
        tc, io::ReadTokenizerConfig((fs::path(dir) / "tokenizer_config.json").string()));
  }
  const int64_t n =
      std::max<int64_t>(m.config().vocab_size, static_cast<int64_t>(spec.vocab.size()));
  std::vector<std::string> tokens(static_cast<size_t>(n));
  std::vector<int32_t> types(static_cast<size_t>(n), 1);
  std::vector<bool> filled(static_cast<size_t>(n), false);
  for (size_t i = 0; i < spec.vocab.size(); ++i) {
    if (!spec.vocab[i].empty()) {
      tokens[i] = spec.vocab[i];
      filled[i] = true;
    }
  }
  std::map<std::string, int32_t> id_of;
  for (const auto& a : spec.added) {
    if (a.id < 0 || a.id >= n) continue;
    tokens[static_cast<size_t>(a.id)] = a.content;
    filled[static_cast<size_t>(a.id)] = true;
    // llama.cpp marks special tokens, and those that look special (<|...|>), as control.
    const bool looks = a.content.size() > 4 && a.content.rfind("<|", 0) == 0 &&
                       a.content.compare(a.content.size() - 2, 2, "|>") == 0;
    types[static_cast<size_t>(a.id)] = a.special || looks ? 3 : 4;
    id_of[a.content] = a.id;
  }
  for (int64_t i = 0; i < n; ++i) {
    if (!filled[static_cast<size_t>(i)]) {
      tokens[static_cast<size_t>(i)] = "[PAD" + std::to_string(i) + "]";
      types[static_cast<size_t>(i)] = 5;
    }
  }
  std::vector<std::string> merges;
  merges.reserve(spec.merges.size());
  for (const auto& [a, b] : spec.merges) merges.push_back(a + " " + b);
  w->AddString("tokenizer.ggml.model", "gpt2");
  w->AddString("tokenizer.ggml.pre", "qwen2");
  w->AddStringArray("tokenizer.ggml.tokens", tokens);
  w->AddI32Array("tokenizer.ggml.token_type", types);
  w->AddStringArray("tokenizer.ggml.merges", merges);
  auto id = [&](const char* key) -> int64_t {
    auto it = tc.special_tokens.find(key);
    if (it == tc.special_tokens.end()) return -1;
    auto f = id_of.find(it->second);
    return f == id_of.end() ? -1 : f->second;
  };
  if (int64_t e = id("eos_token"); e >= 0)
    w->AddU32("tokenizer.ggml.eos_token_id", static_cast<uint32_t>(e));
  if (int64_t p = id("pad_token"); p >= 0)
    w->AddU32("tokenizer.ggml.padding_token_id", static_cast<uint32_t>(p));
  int64_t bos = id("bos_token");
  if (bos < 0) bos = m.config().bos_token_id;
  if (bos >= 0) w->AddU32("tokenizer.ggml.bos_token_id", static_cast<uint32_t>(bos));
  w->AddBool("tokenizer.ggml.add_bos_token", tc.add_bos_token);
  std::string tmpl;
  if (tc.chat_template) {
    tmpl = *tc.chat_template;
  } else if (fs::exists(fs::path(dir) / "chat_template.jinja", ec)) {
    QW_ASSIGN_OR_RETURN(tmpl, ReadFileToString((fs::path(dir) / "chat_template.jinja").string()));
  }
  if (!tmpl.empty()) w->AddString("tokenizer.chat_template", tmpl);
  return OkStatus();
}

}  // namespace

const char* GgufTargetTypes() { return "f32, f16, bf16, q8_0, q4_0, q4_k_m, q6_k"; }

Status WriteGguf(const std::string& input, const std::string& output, const std::string& type,
                 int threads) {
  const Target* tg = nullptr;
  for (const auto& t : kTargets)
    if (type == t.name) tg = &t;
  if (!tg) return InvalidArgument("type '" + type + "' is not one of " + GgufTargetTypes());
  QW_ASSIGN_OR_RETURN(std::unique_ptr<model::Model> m, model::Model::Load(input));
  const model::ModelConfig& c = m->config();
  io::GgufWriter w;
  const std::string& arch = c.model_type;
  w.AddString("general.architecture", arch);
  w.AddString("general.type", "model");
  std::string name = NameFromFolder(input);
  if (m->gguf()) {
    if (auto n = m->gguf()->GetString("general.name"); n.ok()) name = *n;
  }
  w.AddString("general.name", name);
  w.AddString("general.size_label", SizeLabel(m->num_params()));
  if (const auto& g = m->generation_config(); g && g->do_sample.value_or(false)) {
    if (g->top_k) w.AddI32("general.sampling.top_k", static_cast<int32_t>(*g->top_k));
    if (g->top_p) w.AddF32("general.sampling.top_p", static_cast<float>(*g->top_p));
    if (g->temperature) w.AddF32("general.sampling.temp", static_cast<float>(*g->temperature));
  }
  const std::string a = arch + ".";
  w.AddU32(a + "block_count", static_cast<uint32_t>(c.num_layers));
  w.AddU32(a + "context_length", static_cast<uint32_t>(c.max_position_embeddings));
  w.AddU32(a + "embedding_length", static_cast<uint32_t>(c.hidden_size));
  w.AddU32(a + "feed_forward_length", static_cast<uint32_t>(c.intermediate_size));
  w.AddU32(a + "attention.head_count", static_cast<uint32_t>(c.num_heads));
  w.AddU32(a + "attention.head_count_kv", static_cast<uint32_t>(c.num_kv_heads));
  w.AddF32(a + "rope.freq_base", static_cast<float>(c.rope_theta));
  w.AddF32(a + "attention.layer_norm_rms_epsilon", static_cast<float>(c.rms_norm_eps));
  if (arch == "qwen3") {
    w.AddU32(a + "attention.key_length", static_cast<uint32_t>(c.head_dim));
    w.AddU32(a + "attention.value_length", static_cast<uint32_t>(c.head_dim));
  } else if (c.head_dim != c.hidden_size / c.num_heads) {
    return Unsupported(input +
                       ": a qwen2 model whose head_dim differs from hidden/heads has no GGUF form");
  }
  if (c.rope_type == model::RopeType::kYarn) {
    w.AddString(a + "rope.scaling.type", "yarn");
    w.AddF32(a + "rope.scaling.factor", static_cast<float>(c.rope_factor));
    w.AddU32(a + "rope.scaling.original_context_length",
             static_cast<uint32_t>(c.rope_original_max_position));
  }
  w.AddU32("general.file_type", tg->file_type);
  w.AddU32("general.quantization_version", 2);
  if (m->gguf()) {
    for (const auto& [k, v] : m->gguf()->metadata())
      if (k.rfind("tokenizer.", 0) == 0) w.AddValue(k, v);
  } else {
    QW_TRY(AddFolderTokenizer(input, *m, &w));
  }

  // Tensors: globals first (alphabetical like llama-quantize), then layer by layer.
  auto named = model::NamedWeights(c, m->weights());
  std::vector<std::pair<std::string, std::pair<std::string, TensorView>>> order;
  for (auto& [hf, v] : named) order.push_back({io::GgufNameOf(hf), {hf, v}});
  std::stable_sort(order.begin(), order.end(), [](const auto& x, const auto& y) {
    const bool bx = x.first.rfind("blk.", 0) == 0, by = y.first.rfind("blk.", 0) == 0;
    if (bx != by) return !bx;
    if (!bx) return x.first < y.first;
    const long lx = std::stol(x.first.substr(4)), ly = std::stol(y.first.substr(4));
    return lx != ly ? lx < ly : x.first < y.first;
  });
  auto pool = std::make_shared<ThreadPool>(threads);
  for (const auto& [gname, hv] : order) {
    const std::string hf = hv.first;
    const TensorView src = hv.second;
    if (gname.empty()) return Internal("no GGUF name for tensor '" + hf + "'");
    const DType dst = ChooseType(*tg, hf, src.shape, c);
    QW_TRY(
        w.AddTensor(gname, dst, src.shape, [src, dst, pool](std::vector<uint8_t>* out) -> Status {
          const int64_t cols = src.shape.back();
          const int64_t rows = src.numel() / cols;
          size_t in_row, out_row;
          if (!RowBytes(src.dtype, cols, &in_row) || !RowBytes(dst, cols, &out_row))
            return Internal("bad row size");
          out->resize(static_cast<size_t>(rows) * out_row);
          pool->ParallelFor(rows, 8, [&](int64_t r0, int64_t r1, int) {
            std::vector<float> buf(static_cast<size_t>(cols));
            for (int64_t r = r0; r < r1; ++r) {
              kernels::ToF32(src.data + static_cast<size_t>(r) * in_row, src.dtype, cols,
                             buf.data());
              kernels::quant::QuantizeRow(dst, buf.data(),
                                          out->data() + static_cast<size_t>(r) * out_row, cols);
            }
          });
          return OkStatus();
        }));
  }
  return w.Write(output);
}

}  // namespace qw::engine
