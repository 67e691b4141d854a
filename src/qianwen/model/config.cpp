#include "qianwen/model/config.h"

#include <algorithm>
#include <cmath>

#include "qianwen/model/arch_common.h"

namespace qw::model {

Result<int64_t> OptionalInt(const io::HfConfig& hf, const std::string& key, int64_t fallback) {
  if (auto it = hf.ints.find(key); it != hf.ints.end()) return it->second;
  if (!hf.Has(key) || std::find(hf.nulls.begin(), hf.nulls.end(), key) != hf.nulls.end()) {
    return fallback;
  }
  return Corrupt(hf.path + ": '" + key + "' must be an integer");
}

Result<int64_t> RequiredInt(const io::HfConfig& hf, const std::string& key) {
  if (auto it = hf.ints.find(key); it != hf.ints.end()) return it->second;
  if (!hf.Has(key)) return Corrupt(hf.path + ": required field '" + key + "' is missing");
  return Corrupt(hf.path + ": '" + key + "' must be an integer");
}

Result<double> OptionalNumber(const io::HfConfig& hf, const std::string& key, double fallback) {
  if (auto it = hf.numbers.find(key); it != hf.numbers.end()) return it->second;
  if (!hf.Has(key) || std::find(hf.nulls.begin(), hf.nulls.end(), key) != hf.nulls.end()) {
    return fallback;
  }
  return Corrupt(hf.path + ": '" + key + "' must be a number");
}

Result<bool> OptionalBool(const io::HfConfig& hf, const std::string& key, bool fallback) {
  if (auto it = hf.bools.find(key); it != hf.bools.end()) return it->second;
  if (!hf.Has(key) || std::find(hf.nulls.begin(), hf.nulls.end(), key) != hf.nulls.end()) {
    return fallback;
  }
  return Corrupt(hf.path + ": '" + key + "' must be true or false");
}

const std::vector<ArchSpec>& SupportedArchitectures() {
  static const std::vector<ArchSpec> kArchs = {
      {"Qwen2ForCausalLM", "qwen2", ResolveQwen2},
      {"Qwen3ForCausalLM", "qwen3", ResolveQwen3},
  };
  return kArchs;
}

std::string SupportedArchitectureList() {
  std::string s;
  for (const auto& a : SupportedArchitectures()) {
    if (!s.empty()) s += ", ";
    s += a.architecture;
  }
  return s;
}

namespace {

Status CheckPositive(const io::HfConfig& hf, const char* key, int64_t v, int64_t limit) {
  if (v <= 0 || v > limit) {
    return Corrupt(hf.path + ": '" + key + "' is " + std::to_string(v) + ", expected 1.." +
                   std::to_string(limit));
  }
  return OkStatus();
}

Status ResolveRope(const io::HfConfig& hf, ModelConfig* c) {
  if (!hf.has_rope_scaling) return OkStatus();
  std::string type = "default";
  if (auto it = hf.rope_strings.find("rope_type"); it != hf.rope_strings.end())
    type = it->second;
  else if (auto it2 = hf.rope_strings.find("type"); it2 != hf.rope_strings.end())
    type = it2->second;
  if (auto t = hf.rope_numbers.find("rope_theta"); t != hf.rope_numbers.end())
    c->rope_theta = t->second;
  if (type == "default") return OkStatus();
  if (type != "yarn") {
    return Unsupported(hf.path + ": rope_scaling type '" + type +
                       "' is not supported (supported: null, default, yarn)");
  }
  auto num = [&](const char* key) -> const double* {
    auto it = hf.rope_numbers.find(key);
    return it == hf.rope_numbers.end() ? nullptr : &it->second;
  };
  c->rope_type = RopeType::kYarn;
  c->rope_original_max_position =
      num("original_max_position_embeddings")
          ? static_cast<int64_t>(*num("original_max_position_embeddings"))
          : c->max_position_embeddings;
  // transformers >= 4.56: `factor` is the configured value; when absent (transformers 5) it is
  // max_position_embeddings / original_max_position_embeddings.
  c->rope_factor = num("factor") ? *num("factor")
                                 : static_cast<double>(c->max_position_embeddings) /
                                       static_cast<double>(c->rope_original_max_position);
  if (!(c->rope_factor >= 1.0) || c->rope_original_max_position <= 0) {
    return Corrupt(hf.path +
                   ": rope_scaling: factor must be >= 1 and "
                   "original_max_position_embeddings positive");
  }
  auto mscale = [](double scale, double m) {
    return scale <= 1 ? 1.0 : 0.1 * m * std::log(scale) + 1.0;
  };
  if (num("attention_factor")) {
    c->rope_attention_factor = *num("attention_factor");
  } else if (num("mscale") && num("mscale_all_dim") && *num("mscale") != 0 &&
             *num("mscale_all_dim") != 0) {
    c->rope_attention_factor =
        mscale(c->rope_factor, *num("mscale")) / mscale(c->rope_factor, *num("mscale_all_dim"));
  } else {
    c->rope_attention_factor = mscale(c->rope_factor, 1.0);
  }
  if (num("beta_fast") && *num("beta_fast") != 0) c->rope_beta_fast = *num("beta_fast");
  if (num("beta_slow") && *num("beta_slow") != 0) c->rope_beta_slow = *num("beta_slow");
  if (auto it = hf.rope_bools.find("truncate"); it != hf.rope_bools.end())
    c->rope_truncate = it->second;
  return OkStatus();
}

}  // namespace

Result<ModelConfig> ResolveConfig(const io::HfConfig& hf) {
  const ArchSpec* spec = nullptr;
  if (hf.architectures.empty()) {
    return Unsupported(hf.path +
                       ": 'architectures' is missing; supported: " + SupportedArchitectureList());
  }
  for (const auto& a : SupportedArchitectures())
    if (hf.architectures[0] == a.architecture) spec = &a;
  if (spec == nullptr) {
    return Unsupported(hf.path + ": architecture '" + hf.architectures[0] +
                       "' is not supported; supported: " + SupportedArchitectureList());
  }
  ModelConfig c;
  c.architecture = spec->architecture;
  c.model_type = spec->model_type;
  if (!hf.model_type.empty() && hf.model_type != spec->model_type) {
    return Corrupt(hf.path + ": model_type '" + hf.model_type + "' does not match architecture " +
                   spec->architecture + " (expected '" + spec->model_type + "')");
  }
  QW_ASSIGN_OR_RETURN(c.vocab_size, OptionalInt(hf, "vocab_size", 151936));
  QW_ASSIGN_OR_RETURN(c.hidden_size, RequiredInt(hf, "hidden_size"));
  QW_ASSIGN_OR_RETURN(c.intermediate_size, RequiredInt(hf, "intermediate_size"));
  QW_ASSIGN_OR_RETURN(c.num_layers, RequiredInt(hf, "num_hidden_layers"));
  QW_ASSIGN_OR_RETURN(c.num_heads, RequiredInt(hf, "num_attention_heads"));
  QW_TRY(CheckPositive(hf, "vocab_size", c.vocab_size, 1 << 24));
  QW_TRY(CheckPositive(hf, "hidden_size", c.hidden_size, 1 << 17));
  QW_TRY(CheckPositive(hf, "intermediate_size", c.intermediate_size, 1 << 19));
  QW_TRY(CheckPositive(hf, "num_hidden_layers", c.num_layers, 4096));
  QW_TRY(CheckPositive(hf, "num_attention_heads", c.num_heads, 4096));
  QW_ASSIGN_OR_RETURN(c.num_kv_heads, OptionalInt(hf, "num_key_value_heads", c.num_heads));
  QW_TRY(CheckPositive(hf, "num_key_value_heads", c.num_kv_heads, c.num_heads));
  if (c.num_heads % c.num_kv_heads != 0) {
    return Corrupt(hf.path + ": num_attention_heads " + std::to_string(c.num_heads) +
                   " is not a multiple of num_key_value_heads " + std::to_string(c.num_kv_heads));
  }
  QW_ASSIGN_OR_RETURN(c.rms_norm_eps, OptionalNumber(hf, "rms_norm_eps", 1e-6));
  QW_ASSIGN_OR_RETURN(c.rope_theta, OptionalNumber(hf, "rope_theta", 10000.0));
  QW_ASSIGN_OR_RETURN(c.max_position_embeddings, OptionalInt(hf, "max_position_embeddings", 32768));
  QW_ASSIGN_OR_RETURN(c.tie_word_embeddings, OptionalBool(hf, "tie_word_embeddings", false));
  QW_ASSIGN_OR_RETURN(c.bos_token_id, OptionalInt(hf, "bos_token_id", -1));
  if (auto it = hf.ints.find("eos_token_id"); it != hf.ints.end()) c.eos_token_ids = {it->second};
  if (auto it = hf.int_lists.find("eos_token_id"); it != hf.int_lists.end())
    c.eos_token_ids = it->second;
  if (!(c.rms_norm_eps > 0) || !(c.rope_theta > 0)) {
    return Corrupt(hf.path + ": rms_norm_eps and rope_theta must be positive");
  }
  if (auto it = hf.strings.find("hidden_act"); it != hf.strings.end() && it->second != "silu") {
    return Unsupported(hf.path + ": hidden_act '" + it->second + "' is not supported (only silu)");
  }
  QW_ASSIGN_OR_RETURN(bool sliding, OptionalBool(hf, "use_sliding_window", false));
  if (sliding) {
    return Unsupported(hf.path +
                       ": use_sliding_window: true is not supported (no published "
                       "Qwen2/Qwen3 checkpoint enables it)");
  }
  QW_TRY(spec->resolve(hf, &c));
  QW_TRY(CheckPositive(hf, "head_dim", c.head_dim, 4096));
  if (c.head_dim % 2 != 0)
    return Corrupt(hf.path + ": head_dim " + std::to_string(c.head_dim) + " is odd");
  QW_TRY(ResolveRope(hf, &c));
  return c;
}

}  // namespace qw::model
