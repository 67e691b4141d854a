#pragma once
// Reads Hugging Face's tokenizer.json into a TokenizerSpec. Only the structure Qwen tokenizers
// use is accepted (BPE model, NFC or no normalizer, Split regex + ByteLevel pre-tokenizer);
// anything else is an Unsupported error naming the part.

#include <string>

#include "qianwen/core/status.h"
#include "qianwen/tokenizer/spec.h"

namespace qw::tokenizer {

Result<TokenizerSpec> ParseTokenizerJson(const std::string& text, const std::string& path);
Result<TokenizerSpec> ReadTokenizerJson(const std::string& path);

}  // namespace qw::tokenizer
