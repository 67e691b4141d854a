#include "qianwen/tokenizer/bpe.h"

#include <queue>

namespace qw::tokenizer {

Result<Bpe> Bpe::Build(const TokenizerSpec& spec, const ByteLevel& bl) {
  Bpe b;
  std::unordered_map<std::string, int32_t> ids;
  ids.reserve(spec.vocab.size() * 2);
  for (size_t i = 0; i < spec.vocab.size(); ++i)
    if (!spec.vocab[i].empty()) ids.emplace(spec.vocab[i], static_cast<int32_t>(i));
  for (int byte = 0; byte < 256; ++byte) {
    auto it = ids.find(bl.Token(static_cast<uint8_t>(byte)));
    if (it == ids.end()) {
      return Corrupt("tokenizer vocabulary lacks the byte-level token for byte " +
                     std::to_string(byte));
    }
    b.byte_id_[byte] = it->second;
  }
  b.merges_.reserve(spec.merges.size() * 2);
  for (size_t r = 0; r < spec.merges.size(); ++r) {
    const auto& [l, rr] = spec.merges[r];
    auto a = ids.find(l), c = ids.find(rr), m = ids.find(l + rr);
    if (a == ids.end() || c == ids.end() || m == ids.end()) {
      return Corrupt("tokenizer merge " + std::to_string(r) + " ('" + l + "' '" + rr +
                     "') names a token that is not in the vocabulary");
    }
    b.merges_.emplace(Key(a->second, c->second), Merge{static_cast<int32_t>(r), m->second});
  }
  return b;
}

void Bpe::Encode(std::string_view piece, std::vector<int32_t>* out) const {
  const size_t n = piece.size();
  if (n == 0) return;
  if (n == 1) {
    out->push_back(byte_id_[static_cast<uint8_t>(piece[0])]);
    return;
  }
  // Symbols in a doubly linked list; a heap of candidate merges ordered by (rank, position).
  struct Sym {
    int32_t id;
    int32_t prev, next;
    bool alive;
  };
  std::vector<Sym> s(n);
  for (size_t i = 0; i < n; ++i) {
    s[i] = {byte_id_[static_cast<uint8_t>(piece[i])], static_cast<int32_t>(i) - 1,
            i + 1 < n ? static_cast<int32_t>(i + 1) : -1, true};
  }
  struct Cand {
    int32_t rank, pos, left_id, right_id;
    bool operator>(const Cand& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
  };
  std::priority_queue<Cand, std::vector<Cand>, std::greater<Cand>> heap;
  auto push = [&](int32_t pos) {
    if (pos < 0) return;
    int32_t nx = s[static_cast<size_t>(pos)].next;
    if (nx < 0) return;
    auto it = merges_.find(Key(s[static_cast<size_t>(pos)].id, s[static_cast<size_t>(nx)].id));
    if (it != merges_.end()) {
      heap.push(
          {it->second.rank, pos, s[static_cast<size_t>(pos)].id, s[static_cast<size_t>(nx)].id});
    }
  };
  for (size_t i = 0; i + 1 < n; ++i) push(static_cast<int32_t>(i));
  while (!heap.empty()) {
    Cand c = heap.top();
    heap.pop();
    Sym& a = s[static_cast<size_t>(c.pos)];
    if (!a.alive || a.id != c.left_id || a.next < 0) continue;
    Sym& b = s[static_cast<size_t>(a.next)];
    if (b.id != c.right_id) continue;  // stale: a neighbour changed since this was queued
    a.id = merges_.at(Key(c.left_id, c.right_id)).id;
    b.alive = false;
    a.next = b.next;
    if (b.next >= 0) s[static_cast<size_t>(b.next)].prev = c.pos;
    push(a.prev);
    push(c.pos);
  }
  for (int32_t i = 0; i >= 0; i = s[static_cast<size_t>(i)].next)
    out->push_back(s[static_cast<size_t>(i)].id);
}

}  // namespace qw::tokenizer
