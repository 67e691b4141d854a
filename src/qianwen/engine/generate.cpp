#include "qianwen/engine/generate.h"

#include <algorithm>
#include <chrono>
#include <cstring>

namespace qw::engine {

Result<GenerateStats> Generate(Session& session, const std::vector<int32_t>& prompt,
                               sampling::Sampler& sampler, const GenerateOptions& options,
                               const std::function<void(int32_t)>& on_token) {
  using Clock = std::chrono::steady_clock;
  GenerateStats st;
  if (prompt.empty()) return InvalidArgument("the prompt is empty");
  const int64_t vocab = session.model().config().vocab_size;
  std::vector<float> logits(static_cast<size_t>(vocab));
  std::vector<int32_t> generated;

  auto t0 = Clock::now();
  QW_ASSIGN_OR_RETURN(const float* out, session.Eval(prompt));
  std::memcpy(logits.data(), out, logits.size() * sizeof(float));
  auto t1 = Clock::now();
  st.prompt_tokens = static_cast<int64_t>(prompt.size());
  st.prompt_seconds = std::chrono::duration<double>(t1 - t0).count();

  for (int64_t step = 0; step < options.max_tokens; ++step) {
    int32_t tok = sampler.Sample(logits.data(), vocab, prompt, generated);
    generated.push_back(tok);
    if (on_token) on_token(tok);
    if (std::find(options.stop_ids.begin(), options.stop_ids.end(), tok) !=
        options.stop_ids.end()) {
      st.stopped_by_id = true;
      break;
    }
    if (step + 1 == options.max_tokens) break;
    if (session.n_past() >= session.n_ctx()) {
      st.context_full = true;
      break;
    }
    QW_ASSIGN_OR_RETURN(const float* next, session.Eval({tok}));
    st.decode_steps++;
    std::memcpy(logits.data(), next, logits.size() * sizeof(float));
  }
  st.generated_tokens = static_cast<int64_t>(generated.size());
  st.generate_seconds = std::chrono::duration<double>(Clock::now() - t1).count();
  return st;
}

}  // namespace qw::engine
