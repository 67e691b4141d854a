#pragma once
// The model's hyper-parameters as transformers resolves them for one architecture: every
// default below is the one of the matching transformers config class.

#include <cstdint>
#include <string>
#include <vector>

#include "qianwen/core/status.h"
#include "qianwen/io/hf_config.h"

namespace qw::model {

enum class RopeType { kDefault, kYarn };

struct ModelConfig {
  std::string architecture;  // "Qwen2ForCausalLM", ...
  std::string model_type;    // "qwen2", ...
  int64_t vocab_size = 0;
  int64_t hidden_size = 0;
  int64_t intermediate_size = 0;
  int64_t num_layers = 0;
  int64_t num_heads = 0;
  int64_t num_kv_heads = 0;
  int64_t head_dim = 0;
  double rms_norm_eps = 1e-6;
  double rope_theta = 10000.0;
  int64_t max_position_embeddings = 32768;
  bool tie_word_embeddings = false;
  bool qkv_bias = false;  // q/k/v projections carry biases
  bool o_bias = false;    // o_proj carries a bias
  bool qk_norm = false;   // per-head RMSNorm of queries and keys before RoPE (Qwen3)
  // RoPE scaling (YaRN).
  RopeType rope_type = RopeType::kDefault;
  double rope_factor = 1.0;
  int64_t rope_original_max_position = 0;
  double rope_attention_factor = 1.0;  // multiplies cos and sin
  double rope_beta_fast = 32.0, rope_beta_slow = 1.0;
  bool rope_truncate = true;
  int64_t bos_token_id = -1;
  std::vector<int64_t> eos_token_ids;

  int64_t q_dim() const { return num_heads * head_dim; }
  int64_t kv_dim() const { return num_kv_heads * head_dim; }
};

// One supported architecture: how its config resolves.
struct ArchSpec {
  const char* architecture;  // as in config.json "architectures"
  const char* model_type;
  // Sets the architecture's own fields (biases, norms, head_dim default) on a config whose
  // common fields are already read.
  Status (*resolve)(const io::HfConfig& hf, ModelConfig* cfg);
};

// Every architecture this build runs.
const std::vector<ArchSpec>& SupportedArchitectures();
// "Qwen2ForCausalLM, Qwen3ForCausalLM"
std::string SupportedArchitectureList();

// Resolves config.json into a ModelConfig; unsupported settings are errors naming the field.
Result<ModelConfig> ResolveConfig(const io::HfConfig& hf);
}  // namespace qw::model
namespace qw::io {
class GgufFile;
}
namespace qw::model {
// The same from a GGUF file's metadata (gguf_config.cpp).
Result<ModelConfig> ResolveGgufConfig(const io::GgufFile& g);

}  // namespace qw::model
