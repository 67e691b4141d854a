#include "qianwen/io/safetensors.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

namespace qw::io {
namespace {

using json = nlohmann::json;

// Headers of real checkpoints are a few hundred KiB; this bound stops a corrupt length from
// making us read (or allocate) gigabytes.
constexpr uint64_t kMaxHeaderBytes = 100ull << 20;

Status EntryError(const std::string& path, const std::string& name, const std::string& what) {
  return Corrupt(path + ": tensor '" + name + "': " + what);
}

Result<SafetensorsEntry> ParseEntry(const std::string& path, const std::string& name, const json& j,
                                    uint64_t data_size) {
  SafetensorsEntry e;
  e.name = name;
  if (!j.is_object()) return EntryError(path, name, "header entry is not an object");
  auto dt = j.find("dtype");
  if (dt == j.end() || !dt->is_string()) return EntryError(path, name, "missing string 'dtype'");
  auto dtype = DTypeFromName(dt->get<std::string>());
  if (!dtype) {
    return Unsupported(path + ": tensor '" + name + "': unknown dtype '" + dt->get<std::string>() +
                       "' (known: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)");
  }
  e.dtype = *dtype;
  auto sh = j.find("shape");
  if (sh == j.end() || !sh->is_array()) return EntryError(path, name, "missing array 'shape'");
  for (const auto& d : *sh) {
    if (!d.is_number_unsigned())
      return EntryError(path, name, "shape holds a non-integer or negative value");
    uint64_t v = d.get<uint64_t>();
    if (v > (1ull << 40))
      return EntryError(path, name, "dimension " + std::to_string(v) + " is implausibly large");
    e.shape.push_back(static_cast<int64_t>(v));
  }
  auto off = j.find("data_offsets");
  if (off == j.end() || !off->is_array() || off->size() != 2 || !(*off)[0].is_number_unsigned() ||
      !(*off)[1].is_number_unsigned()) {
    return EntryError(path, name, "'data_offsets' must be two non-negative integers");
  }
  e.begin = (*off)[0].get<uint64_t>();
  e.end = (*off)[1].get<uint64_t>();
  if (e.begin > e.end) {
    return EntryError(
        path, name,
        "data_offsets begin " + std::to_string(e.begin) + " > end " + std::to_string(e.end));
  }
  if (e.end > data_size) {
    return EntryError(path, name,
                      "data_offsets end " + std::to_string(e.end) +
                          " is past the end of the data section (" + std::to_string(data_size) +
                          " bytes; file truncated?)");
  }
  int64_t numel;
  if (!ShapeNumElements(e.shape, &numel)) return EntryError(path, name, "shape overflows");
  uint64_t expect = static_cast<uint64_t>(numel) * DTypeSize(e.dtype);
  if (expect / DTypeSize(e.dtype) != static_cast<uint64_t>(numel))
    return EntryError(path, name, "size overflows");
  if (e.end - e.begin != expect) {
    return EntryError(path, name,
                      "shape " + ShapeToString(e.shape) + " of " + std::string(DTypeName(e.dtype)) +
                          " needs " + std::to_string(expect) + " bytes but data_offsets span " +
                          std::to_string(e.end - e.begin));
  }
  return e;
}

}  // namespace

Result<SafetensorsHeader> ParseSafetensorsHeader(const uint8_t* bytes, uint64_t file_size,
                                                 const std::string& path) {
  if (file_size < 8) {
    return Corrupt(path + ": file is " + std::to_string(file_size) +
                   " bytes, too short for a safetensors header length (8 bytes)");
  }
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | bytes[i];
  if (n > file_size - 8) {
    return Corrupt(path + ": header length " + std::to_string(n) +
                   " is past the end of the file (" + std::to_string(file_size) + " bytes)");
  }
  if (n > kMaxHeaderBytes) {
    return Corrupt(path + ": header length " + std::to_string(n) + " exceeds the limit of " +
                   std::to_string(kMaxHeaderBytes) + " bytes");
  }
  if (n < 2)
    return Corrupt(path + ": header of " + std::to_string(n) + " bytes is not a JSON object");

  // Parse, rejecting duplicate top-level names (nlohmann would keep the last one silently).
  std::set<std::string> seen_keys;
  std::string duplicate;
  json::parser_callback_t cb = [&](int depth, json::parse_event_t event, json& parsed) {
    if (depth == 1 && event == json::parse_event_t::key) {
      std::string k = parsed.get<std::string>();
      if (!seen_keys.insert(k).second && duplicate.empty()) duplicate = k;
    }
    return true;
  };
  json j = json::parse(bytes + 8, bytes + 8 + n, cb, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Corrupt(path + ": header is not valid JSON");
  if (!j.is_object()) return Corrupt(path + ": header is not a JSON object");
  if (!duplicate.empty())
    return Corrupt(path + ": tensor '" + duplicate + "' appears twice in the header");

  SafetensorsHeader h;
  h.data_start = 8 + n;
  uint64_t data_size = file_size - h.data_start;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.key() == "__metadata__") {
      if (!it->is_object()) return Corrupt(path + ": __metadata__ is not an object");
      for (auto m = it->begin(); m != it->end(); ++m) {
        if (!m->is_string())
          return Corrupt(path + ": __metadata__['" + m.key() + "'] is not a string");
        h.metadata[m.key()] = m->get<std::string>();
      }
      continue;
    }
    QW_ASSIGN_OR_RETURN(SafetensorsEntry e, ParseEntry(path, it.key(), *it, data_size));
    h.entries.push_back(std::move(e));
  }
  // No two tensors may share bytes.
  std::vector<const SafetensorsEntry*> order;
  for (const auto& e : h.entries) order.push_back(&e);
  std::sort(order.begin(), order.end(), [](auto* a, auto* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  for (size_t i = 1; i < order.size(); ++i) {
    if (order[i]->begin < order[i - 1]->end) {
      return Corrupt(path + ": tensors '" + order[i - 1]->name + "' and '" + order[i]->name +
                     "' overlap (data_offsets [" + std::to_string(order[i - 1]->begin) + ", " +
                     std::to_string(order[i - 1]->end) + ") and [" +
                     std::to_string(order[i]->begin) + ", " + std::to_string(order[i]->end) + "))");
    }
  }
  return h;
}

Result<SafetensorsFile> SafetensorsFile::Open(const std::string& path, const FileLoad& how) {
  SafetensorsFile f;
  QW_ASSIGN_OR_RETURN(f.file_, MappedFile::Open(path, how));
  QW_ASSIGN_OR_RETURN(f.header_, ParseSafetensorsHeader(f.file_.data(), f.file_.size(), path));
  for (size_t i = 0; i < f.header_.entries.size(); ++i) f.index_[f.header_.entries[i].name] = i;
  return f;
}

const SafetensorsEntry* SafetensorsFile::Find(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &header_.entries[it->second];
}

TensorView SafetensorsFile::View(const SafetensorsEntry& e) const {
  TensorView v;
  v.dtype = e.dtype;
  v.shape = e.shape;
  v.data = file_.data() + header_.data_start + e.begin;
  v.nbytes = e.end - e.begin;
  return v;
}

Status WriteSafetensors(const std::string& path, const std::vector<NamedTensor>& tensors,
                        const std::map<std::string, std::string>& metadata) {
  json h = json::object();
  if (!metadata.empty()) h["__metadata__"] = metadata;
  uint64_t off = 0;
  for (const auto& t : tensors) {
    h[t.name] = {{"dtype", std::string(DTypeName(t.view.dtype))},
                 {"shape", t.view.shape},
                 {"data_offsets", {off, off + t.view.nbytes}}};
    off += t.view.nbytes;
  }
  std::string hs = h.dump();
  while ((8 + hs.size()) % 8 != 0)
    hs += ' ';  // keep the data 8-byte aligned, like the reference writer
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return IoError(path + ": cannot open for writing");
  uint64_t n = hs.size();
  uint8_t len[8];
  for (int i = 0; i < 8; ++i) len[i] = static_cast<uint8_t>(n >> (8 * i));
  out.write(reinterpret_cast<const char*>(len), 8);
  out.write(hs.data(), static_cast<std::streamsize>(hs.size()));
  for (const auto& t : tensors)
    out.write(reinterpret_cast<const char*>(t.view.data),
              static_cast<std::streamsize>(t.view.nbytes));
  if (!out) return IoError(path + ": write failed");
  return OkStatus();
}

}  // namespace qw::io
