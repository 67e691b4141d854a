#pragma once
// The typed weights of a dense Qwen decoder, bound from a WeightSource with every tensor's
// presence, rank, dimensions and dtype checked against the config.

#include <string>
#include <utility>
#include <vector>

#include "qianwen/core/tensor.h"
#include "qianwen/io/weight_source.h"
#include "qianwen/model/config.h"

namespace qw::model {

struct LayerWeights {
  TensorView input_norm, post_attention_norm;  // [hidden]
  TensorView wq, wk, wv, wo;  // [q_dim, hidden], [kv_dim, hidden] x2, [hidden, q_dim]
  TensorView bq, bk, bv, bo;  // biases, empty when the config has none
  TensorView q_norm, k_norm;  // [head_dim], Qwen3 only
  TensorView gate, up, down;  // [inter, hidden] x2, [hidden, inter]
};

struct Weights {
  TensorView embed;       // [vocab, hidden]
  TensorView final_norm;  // [hidden]
  TensorView lm_head;     // [vocab, hidden]; the embedding when tied
  std::vector<LayerWeights> layers;
};

Result<Weights> BindWeights(const ModelConfig& cfg, const io::WeightSource& src);

// Every bound tensor with its Hugging Face name, in a stable order (globals, then each layer).
std::vector<std::pair<std::string, TensorView>> NamedWeights(const ModelConfig& cfg,
                                                             const Weights& w);

}  // namespace qw::model
