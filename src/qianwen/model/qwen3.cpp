// Qwen3ForCausalLM: per-head q_norm / k_norm before RoPE, q/k/v/o biases only when
// attention_bias is true (default false), head_dim default 128 (Qwen3Config), independent of
// hidden_size / num_attention_heads.

#include "qianwen/model/arch_common.h"

namespace qw::model {

Status ResolveQwen3(const io::HfConfig& hf, ModelConfig* cfg) {
  QW_ASSIGN_OR_RETURN(cfg->head_dim, OptionalInt(hf, "head_dim", 128));
  QW_ASSIGN_OR_RETURN(bool bias, OptionalBool(hf, "attention_bias", false));
  cfg->qkv_bias = bias;
  cfg->o_bias = bias;
  cfg->qk_norm = true;
  return OkStatus();
}

}  // namespace qw::model
