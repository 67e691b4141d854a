#include "qianwen/tokenizer/nfc.h"

#include <utf8proc.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "qianwen/core/utf8.h"

namespace qw::tokenizer {
namespace {

// Combining marks whose non-zero combining class came after Unicode 9.0: the reference treats
// them as class 0 (crosscheck.json, unicode_scan.combining_marks_with_ccc_unknown_to_reference).
constexpr uint32_t kCccUnknownToUnicode9[][2] = {
    {0x7FD, 0x7FD},     {0x897, 0x89F},     {0x8CA, 0x8D3},     {0x9FE, 0x9FE},
    {0xC3C, 0xC3C},     {0xD3B, 0xD3C},     {0xEBA, 0xEBA},     {0x1715, 0x1715},
    {0x1ABF, 0x1ADD},   {0x1AE0, 0x1AEB},   {0x1DF6, 0x1DFA},   {0xA82C, 0xA82C},
    {0x10D24, 0x10D27}, {0x10D69, 0x10D6D}, {0x10EAB, 0x10EAC}, {0x10EFA, 0x10EFB},
    {0x10EFD, 0x10EFF}, {0x10F46, 0x10F50}, {0x10F82, 0x10F85}, {0x11070, 0x11070},
    {0x1133B, 0x1133B}, {0x113CE, 0x113D0}, {0x1145E, 0x1145E}, {0x11839, 0x1183A},
    {0x1193D, 0x1193E}, {0x11943, 0x11943}, {0x119E0, 0x119E0}, {0x11A34, 0x11A34},
    {0x11A47, 0x11A47}, {0x11A99, 0x11A99}, {0x11D42, 0x11D42}, {0x11D44, 0x11D45},
    {0x11D97, 0x11D97}, {0x11F41, 0x11F42}, {0x1612F, 0x1612F}, {0x16FF0, 0x16FF1},
    {0x1E08F, 0x1E08F}, {0x1E130, 0x1E136}, {0x1E2AE, 0x1E2AE}, {0x1E2EC, 0x1E2EF},
    {0x1E4EC, 0x1E4EF}, {0x1E5EE, 0x1E5EF}, {0x1E6E3, 0x1E6E3}, {0x1E6E6, 0x1E6E6},
    {0x1E6EE, 0x1E6EF}, {0x1E6F5, 0x1E6F5},
};

// Composites added after Unicode 9.0 that utf8proc 2.8 (Unicode 15) knows: the reference neither
// composes into them nor decomposes them. (Those of Unicode 16 and 17 are unknown to utf8proc.)
constexpr uint32_t kCompositesAfterUnicode9[] = {0x11938};

bool CccUnknown(uint32_t cp) {
  for (const auto& r : kCccUnknownToUnicode9)
    if (cp >= r[0] && cp <= r[1]) return true;
  return false;
}

bool PostUnicode9Composite(uint32_t cp) {
  for (uint32_t c : kCompositesAfterUnicode9)
    if (c == cp) return true;
  return false;
}

int Ccc(uint32_t cp) {
  if (CccUnknown(cp)) return 0;
  return utf8proc_get_property(static_cast<utf8proc_int32_t>(cp))->combining_class;
}

// The canonical composite of (a, b), or 0.
uint32_t Compose(uint32_t a, uint32_t b) {
  const utf8proc_property_t* pb = utf8proc_get_property(static_cast<utf8proc_int32_t>(b));
  const utf8proc_property_t* pa = utf8proc_get_property(static_cast<utf8proc_int32_t>(a));
  const bool hangul = (a >= 0x1100 && a < 0x1113) || (a >= 0xAC00 && a < 0xD7A4);
  if (!hangul && (pa->comb_index == UINT16_MAX || pb->comb_index == UINT16_MAX)) return 0;
  utf8proc_int32_t buf[2] = {static_cast<utf8proc_int32_t>(a), static_cast<utf8proc_int32_t>(b)};
  utf8proc_ssize_t n = utf8proc_normalize_utf32(buf, 2, UTF8PROC_COMPOSE);
  if (n != 1) return 0;
  uint32_t c = static_cast<uint32_t>(buf[0]);
  // utf8proc's pair table also holds some composition exclusions (e.g. U+1D15F, the musical
  // symbols): NFC never produces those.
  if (utf8proc_get_property(buf[0])->comp_exclusion) return 0;
  return PostUnicode9Composite(c) ? 0 : c;
}

// Quick check: true if this code point may change under NFC or interact with its neighbours.
bool NeedsWork(uint32_t cp) {
  if (cp < 0xC0) return false;  // nothing below U+00C0 decomposes or combines
  const utf8proc_property_t* p = utf8proc_get_property(static_cast<utf8proc_int32_t>(cp));
  return p->combining_class != 0 || p->decomp_seqindex != UINT16_MAX ||
         p->comb_index != UINT16_MAX || (cp >= 0x1100 && cp < 0x1200) ||
         (cp >= 0xAC00 && cp < 0xD7A4);
}

}  // namespace

std::string NfcUnicode9(std::string_view text) {
  bool ascii = true;
  for (char c : text)
    if (static_cast<uint8_t>(c) >= 0x80) {
      ascii = false;
      break;
    }
  if (ascii) return std::string(text);
  std::vector<uint32_t> cps = DecodeUtf8(text);
  if (std::none_of(cps.begin(), cps.end(), NeedsWork)) return std::string(text);

  // 1. Canonical decomposition (full, recursive; Hangul algorithmically).
  std::vector<uint32_t> d;
  d.reserve(cps.size() + 8);
  utf8proc_int32_t buf[32];
  for (uint32_t cp : cps) {
    if (!NeedsWork(cp) || PostUnicode9Composite(cp)) {
      d.push_back(cp);
      continue;
    }
    utf8proc_ssize_t n = utf8proc_decompose_char(static_cast<utf8proc_int32_t>(cp), buf, 32,
                                                 UTF8PROC_DECOMPOSE, nullptr);
    if (n <= 0 || n > 32) {
      d.push_back(cp);
      continue;
    }
    for (utf8proc_ssize_t k = 0; k < n; ++k) d.push_back(static_cast<uint32_t>(buf[k]));
  }
  // 2. Canonical ordering: stable sort of each run of non-starters by combining class.
  std::vector<int> ccc(d.size());
  for (size_t i = 0; i < d.size(); ++i) ccc[i] = Ccc(d[i]);
  for (size_t i = 0; i < d.size();) {
    if (ccc[i] == 0) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < d.size() && ccc[j] != 0) ++j;
    std::vector<std::pair<int, uint32_t>> run;
    for (size_t k = i; k < j; ++k) run.push_back({ccc[k], d[k]});
    std::stable_sort(run.begin(), run.end(), [](auto& a, auto& b) { return a.first < b.first; });
    for (size_t k = i; k < j; ++k) {
      ccc[k] = run[k - i].first;
      d[k] = run[k - i].second;
    }
    i = j;
  }
  // 3. Canonical composition.
  std::vector<uint32_t> out;
  std::vector<int> out_ccc;
  out.reserve(d.size());
  long starter = -1;  // index in `out` of the last starter
  for (size_t i = 0; i < d.size(); ++i) {
    const uint32_t c = d[i];
    const int cc = ccc[i];
    if (starter >= 0) {
      // Blocked if some character between the starter and c has ccc 0 or ccc >= cc.
      bool blocked = false;
      if (static_cast<size_t>(starter) + 1 < out.size()) {
        const int last = out_ccc.back();
        blocked = last == 0 || last >= cc;
      }
      if (!blocked) {
        uint32_t comp = Compose(out[static_cast<size_t>(starter)], c);
        if (comp != 0) {
          out[static_cast<size_t>(starter)] = comp;
          continue;
        }
      }
    }
    out.push_back(c);
    out_ccc.push_back(cc);
    if (cc == 0) starter = static_cast<long>(out.size()) - 1;
  }
  std::string s;
  s.reserve(text.size());
  for (uint32_t c : out) AppendUtf8(c, &s);
  return s;
}

}  // namespace qw::tokenizer
