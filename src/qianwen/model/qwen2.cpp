// Qwen2ForCausalLM (Qwen1.5, Qwen2, Qwen2.5 and their Coder/Math/Instruct variants):
// transformers' Qwen2Attention has q/k/v biases always and no o_proj bias; head_dim is
// hidden_size / num_attention_heads unless config.json says otherwise.

#include "qianwen/model/arch_common.h"

namespace qw::model {

Status ResolveQwen2(const io::HfConfig& hf, ModelConfig* cfg) {
  QW_ASSIGN_OR_RETURN(cfg->head_dim,
                      OptionalInt(hf, "head_dim", cfg->hidden_size / cfg->num_heads));
  cfg->qkv_bias = true;
  cfg->o_bias = false;
  cfg->qk_norm = false;
  return OkStatus();
}

}  // namespace qw::model
