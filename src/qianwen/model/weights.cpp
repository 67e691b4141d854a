#include "qianwen/model/weights.h"

namespace qw::model {
namespace {

class Binder {
 public:
  Binder(const io::WeightSource& src) : src_(src) {}

  Status Bind(const std::string& name, const Shape& want, TensorView* out) {
    const TensorView* v = src_.Find(name);
    if (v == nullptr) {
      return Corrupt(src_.Where(name) + ": tensor '" + name + "' is missing (expected shape " +
                     ShapeToString(want) + ")");
    }
    const bool float_type =
        v->dtype == DType::kF32 || v->dtype == DType::kF16 || v->dtype == DType::kBF16;
    // Matrices may be block-quantized (GGUF); vectors (norms, biases) must be floats.
    if (!float_type && !(IsQuantized(v->dtype) && want.size() == 2)) {
      return Unsupported(src_.Where(name) + ": tensor '" + name + "': dtype " +
                         std::string(DTypeName(v->dtype)) + " is not supported (F32, F16, BF16" +
                         (want.size() == 2 ? ", or a GGUF block type" : "") + ")");
    }
    if (v->shape != want) {
      return Corrupt(src_.Where(name) + ": tensor '" + name + "': expected shape " +
                     ShapeToString(want) + ", found " + ShapeToString(v->shape));
    }
    *out = *v;
    return OkStatus();
  }

 private:
  const io::WeightSource& src_;
};

}  // namespace

Result<Weights> BindWeights(const ModelConfig& c, const io::WeightSource& src) {
  Binder b(src);
  Weights w;
  const int64_t h = c.hidden_size, q = c.q_dim(), kv = c.kv_dim(), in = c.intermediate_size;
  QW_TRY(b.Bind("model.embed_tokens.weight", {c.vocab_size, h}, &w.embed));
  QW_TRY(b.Bind("model.norm.weight", {h}, &w.final_norm));
  if (c.tie_word_embeddings) {
    w.lm_head = w.embed;  // transformers ignores a stored lm_head.weight when tied
  } else {
    QW_TRY(b.Bind("lm_head.weight", {c.vocab_size, h}, &w.lm_head));
  }
  w.layers.resize(static_cast<size_t>(c.num_layers));
  for (int64_t i = 0; i < c.num_layers; ++i) {
    LayerWeights& l = w.layers[static_cast<size_t>(i)];
    const std::string p = "model.layers." + std::to_string(i) + ".";
    QW_TRY(b.Bind(p + "input_layernorm.weight", {h}, &l.input_norm));
    QW_TRY(b.Bind(p + "post_attention_layernorm.weight", {h}, &l.post_attention_norm));
    QW_TRY(b.Bind(p + "self_attn.q_proj.weight", {q, h}, &l.wq));
    QW_TRY(b.Bind(p + "self_attn.k_proj.weight", {kv, h}, &l.wk));
    QW_TRY(b.Bind(p + "self_attn.v_proj.weight", {kv, h}, &l.wv));
    QW_TRY(b.Bind(p + "self_attn.o_proj.weight", {h, q}, &l.wo));
    if (c.qkv_bias) {
      QW_TRY(b.Bind(p + "self_attn.q_proj.bias", {q}, &l.bq));
      QW_TRY(b.Bind(p + "self_attn.k_proj.bias", {kv}, &l.bk));
      QW_TRY(b.Bind(p + "self_attn.v_proj.bias", {kv}, &l.bv));
    }
    if (c.o_bias) QW_TRY(b.Bind(p + "self_attn.o_proj.bias", {h}, &l.bo));
    if (c.qk_norm) {
      QW_TRY(b.Bind(p + "self_attn.q_norm.weight", {c.head_dim}, &l.q_norm));
      QW_TRY(b.Bind(p + "self_attn.k_norm.weight", {c.head_dim}, &l.k_norm));
    }
    QW_TRY(b.Bind(p + "mlp.gate_proj.weight", {in, h}, &l.gate));
    QW_TRY(b.Bind(p + "mlp.up_proj.weight", {in, h}, &l.up));
    QW_TRY(b.Bind(p + "mlp.down_proj.weight", {h, in}, &l.down));
  }
  return w;
}

std::vector<std::pair<std::string, TensorView>> NamedWeights(const ModelConfig& c,
                                                             const Weights& w) {
  std::vector<std::pair<std::string, TensorView>> out;
  out.emplace_back("model.embed_tokens.weight", w.embed);
  out.emplace_back("model.norm.weight", w.final_norm);
  if (!c.tie_word_embeddings) out.emplace_back("lm_head.weight", w.lm_head);
  for (size_t i = 0; i < w.layers.size(); ++i) {
    const LayerWeights& l = w.layers[i];
    const std::string p = "model.layers." + std::to_string(i) + ".";
    auto add = [&](const char* n, const TensorView& v) {
      if (!v.empty()) out.emplace_back(p + n, v);
    };
    add("input_layernorm.weight", l.input_norm);
    add("post_attention_layernorm.weight", l.post_attention_norm);
    add("self_attn.q_proj.weight", l.wq);
    add("self_attn.q_proj.bias", l.bq);
    add("self_attn.k_proj.weight", l.wk);
    add("self_attn.k_proj.bias", l.bk);
    add("self_attn.v_proj.weight", l.wv);
    add("self_attn.v_proj.bias", l.bv);
    add("self_attn.o_proj.weight", l.wo);
    add("self_attn.o_proj.bias", l.bo);
    add("self_attn.q_norm.weight", l.q_norm);
    add("self_attn.k_norm.weight", l.k_norm);
    add("mlp.gate_proj.weight", l.gate);
    add("mlp.up_proj.weight", l.up);
    add("mlp.down_proj.weight", l.down);
  }
  return out;
}

}  // namespace qw::model
