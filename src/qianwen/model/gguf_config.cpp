// Hyper-parameters of a GGUF file's model from its metadata ({arch}.block_count, ...), resolved
// to the same ModelConfig a Hugging Face folder gives. Qwen2 and Qwen3 are supported; biases and
// q/k norms are taken from which tensors the file has.

#include <cmath>

#include "qianwen/io/gguf.h"
#include "qianwen/model/config.h"

namespace qw::model {

Result<ModelConfig> ResolveGgufConfig(const io::GgufFile& g) {
  QW_ASSIGN_OR_RETURN(std::string arch, g.GetString("general.architecture"));
  ModelConfig c;
  if (arch == "qwen2") {
    c.architecture = "Qwen2ForCausalLM";
  } else if (arch == "qwen3") {
    c.architecture = "Qwen3ForCausalLM";
  } else {
    return Unsupported(g.path() + ": architecture '" + arch +
                       "' is not supported; supported: qwen2, qwen3");
  }
  c.model_type = arch;
  const std::string a = arch + ".";
  QW_ASSIGN_OR_RETURN(c.num_layers, g.GetInt(a + "block_count"));
  QW_ASSIGN_OR_RETURN(c.hidden_size, g.GetInt(a + "embedding_length"));
  QW_ASSIGN_OR_RETURN(c.intermediate_size, g.GetInt(a + "feed_forward_length"));
  QW_ASSIGN_OR_RETURN(c.num_heads, g.GetInt(a + "attention.head_count"));
  c.num_kv_heads = c.num_heads;
  if (g.Find(a + "attention.head_count_kv")) {
    QW_ASSIGN_OR_RETURN(c.num_kv_heads, g.GetInt(a + "attention.head_count_kv"));
  }
  auto positive = [&](const char* what, int64_t v, int64_t limit) -> Status {
    if (v <= 0 || v > limit) {
      return Corrupt(g.path() + ": " + what + " is " + std::to_string(v) + ", expected 1.." +
                     std::to_string(limit));
    }
    return OkStatus();
  };
  QW_TRY(positive("block_count", c.num_layers, 4096));
  QW_TRY(positive("embedding_length", c.hidden_size, 1 << 17));
  QW_TRY(positive("feed_forward_length", c.intermediate_size, 1 << 19));
  QW_TRY(positive("attention.head_count", c.num_heads, 4096));
  QW_TRY(positive("attention.head_count_kv", c.num_kv_heads, c.num_heads));
  if (c.num_heads % c.num_kv_heads != 0)
    return Corrupt(g.path() + ": head_count is not a multiple of head_count_kv");
  c.head_dim = c.hidden_size / c.num_heads;
  if (g.Find(a + "attention.key_length")) {
    QW_ASSIGN_OR_RETURN(c.head_dim, g.GetInt(a + "attention.key_length"));
  }
  QW_TRY(positive("attention.key_length", c.head_dim, 4096));
  if (c.head_dim % 2) return Corrupt(g.path() + ": head dimension is odd");
  if (g.Find(a + "rope.freq_base")) {
    QW_ASSIGN_OR_RETURN(c.rope_theta, g.GetFloat(a + "rope.freq_base"));
  }
  if (g.Find(a + "attention.layer_norm_rms_epsilon")) {
    QW_ASSIGN_OR_RETURN(c.rms_norm_eps, g.GetFloat(a + "attention.layer_norm_rms_epsilon"));
  }
  if (g.Find(a + "context_length")) {
    QW_ASSIGN_OR_RETURN(c.max_position_embeddings, g.GetInt(a + "context_length"));
  }
  if (const io::GgufValue* st = g.Find(a + "rope.scaling.type");
      st && st->s != "none" && !st->s.empty()) {
    if (st->s != "yarn")
      return Unsupported(g.path() + ": rope scaling '" + st->s + "' is not supported (yarn)");
    c.rope_type = RopeType::kYarn;
    QW_ASSIGN_OR_RETURN(c.rope_factor, g.GetFloat(a + "rope.scaling.factor"));
    QW_ASSIGN_OR_RETURN(c.rope_original_max_position,
                        g.GetInt(a + "rope.scaling.original_context_length"));
    c.rope_attention_factor = c.rope_factor <= 1 ? 1.0 : 0.1 * std::log(c.rope_factor) + 1.0;
  }
  const io::GgufTensor* embd = g.FindTensor("token_embd.weight");
  if (!embd) return Corrupt(g.path() + ": tensor 'token_embd.weight' is missing");
  c.vocab_size = embd->shape[0];
  c.tie_word_embeddings = g.FindTensor("output.weight") == nullptr;
  c.qkv_bias = g.FindTensor("blk.0.attn_q.bias") != nullptr;
  c.o_bias = g.FindTensor("blk.0.attn_output.bias") != nullptr;
  c.qk_norm = arch == "qwen3";
  if (const io::GgufValue* e = g.Find("tokenizer.ggml.eos_token_id"); e && e->is_int())
    c.eos_token_ids = {e->i};
  if (const io::GgufValue* b = g.Find("tokenizer.ggml.bos_token_id"); b && b->is_int())
    c.bos_token_id = b->i;
  return c;
}

}  // namespace qw::model
