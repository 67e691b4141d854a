#pragma once
// Errors are values: Status and Result<T> (std::expected is absent in GCC 12).
// Bad files and bad requests are expected input; they come back as a Status whose message names
// the file, tensor or key, and what was expected versus found. Broken invariants of our own code
// hit QW_CHECK, which aborts.

#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <variant>

namespace qw {

enum class Code {
  kOk = 0,
  kInvalidArgument,
  kNotFound,
  kCorrupt,
  kUnsupported,
  kIoError,
  kOutOfRange,
  kCancelled,
  kInternal,
};

const char* CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // "Corrupt: model.safetensors: ..." for logs and command-line errors.
  std::string ToString() const;
  // Prefixes the message with context ("loading shard 2: ...") on the way up.
  Status WithContext(const std::string& context) const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

inline Status OkStatus() { return Status(); }
inline Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
inline Status Corrupt(std::string m) { return {Code::kCorrupt, std::move(m)}; }
inline Status Unsupported(std::string m) { return {Code::kUnsupported, std::move(m)}; }
inline Status IoError(std::string m) { return {Code::kIoError, std::move(m)}; }
inline Status OutOfRange(std::string m) { return {Code::kOutOfRange, std::move(m)}; }
inline Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit like std::expected
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    if (std::get<Status>(v_).ok()) v_ = Status(Code::kInternal, "Result built from an OK Status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

namespace internal {
inline Status ToStatus(const Status& s) { return s; }
template <typename T>
Status ToStatus(const Result<T>& r) {
  return r.status();
}
[[noreturn]] void CheckFailed(const char* file, int line, const char* expr);
}  // namespace internal

}  // namespace qw

#define QW_CONCAT_INNER_(a, b) a##b
#define QW_CONCAT_(a, b) QW_CONCAT_INNER_(a, b)

// Returns the Status of `expr` from the enclosing function when it is not OK.
#define QW_TRY(expr)                                              \
  do {                                                            \
    ::qw::Status qw_try_status_ = ::qw::internal::ToStatus(expr); \
    if (!qw_try_status_.ok()) return qw_try_status_;              \
  } while (0)

// Same, adding context to the message.
#define QW_TRY_CTX(expr, ctx)                                         \
  do {                                                                \
    ::qw::Status qw_try_status_ = ::qw::internal::ToStatus(expr);     \
    if (!qw_try_status_.ok()) return qw_try_status_.WithContext(ctx); \
  } while (0)

#define QW_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()

// `QW_ASSIGN_OR_RETURN(auto x, MakeX());` declares x from a Result or returns its Status.
#define QW_ASSIGN_OR_RETURN(lhs, expr) \
  QW_ASSIGN_OR_RETURN_IMPL_(QW_CONCAT_(qw_result_, __LINE__), lhs, expr)

// For our own invariants only; input never reaches these.
#define QW_CHECK(cond) ((cond) ? (void)0 : ::qw::internal::CheckFailed(__FILE__, __LINE__, #cond))
