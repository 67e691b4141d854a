#include "qianwen/io/npy.h"

#include <cstring>
#include <fstream>

#include "qianwen/core/mapped_file.h"

namespace qw::io {

Status WriteNpyF32(const std::string& path, const float* data, const std::vector<int64_t>& shape) {
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (";
  int64_t n = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    dict += std::to_string(shape[i]);
    if (shape.size() == 1 || i + 1 < shape.size()) dict += ",";
    if (i + 1 < shape.size()) dict += " ";
    n *= shape[i];
  }
  dict += "), }";
  // magic (6) + version (2) + header length (2) + dict + '\n', padded to a multiple of 64.
  size_t total = 10 + dict.size() + 1;
  dict.append((64 - total % 64) % 64, ' ');
  dict += '\n';
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return IoError(path + ": cannot open for writing");
  const char magic[8] = {'\x93', 'N', 'U', 'M', 'P', 'Y', 1, 0};
  out.write(magic, 8);
  uint16_t hl = static_cast<uint16_t>(dict.size());
  char hlb[2] = {static_cast<char>(hl & 0xff), static_cast<char>(hl >> 8)};
  out.write(hlb, 2);
  out.write(dict.data(), static_cast<std::streamsize>(dict.size()));
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(n * sizeof(float)));
  if (!out) return IoError(path + ": write failed");
  return OkStatus();
}

Result<NpyArray> ReadNpy(const std::string& path) {
  QW_ASSIGN_OR_RETURN(std::string s, ReadFileToString(path));
  if (s.size() < 10 || std::memcmp(s.data(), "\x93NUMPY", 6) != 0)
    return Corrupt(path + ": not a .npy file");
  uint8_t major = static_cast<uint8_t>(s[6]);
  size_t hlen, hstart;
  if (major == 1) {
    hlen = static_cast<uint8_t>(s[8]) | static_cast<size_t>(static_cast<uint8_t>(s[9])) << 8;
    hstart = 10;
  } else {
    if (s.size() < 12) return Corrupt(path + ": truncated header");
    hlen = 0;
    for (int i = 3; i >= 0; --i) hlen = hlen << 8 | static_cast<uint8_t>(s[8 + i]);
    hstart = 12;
  }
  if (hstart + hlen > s.size()) return Corrupt(path + ": header past end of file");
  std::string h = s.substr(hstart, hlen);
  auto field = [&](const std::string& key) -> std::string {
    auto p = h.find("'" + key + "'");
    if (p == std::string::npos) return "";
    p = h.find(':', p);
    return p == std::string::npos ? "" : h.substr(p + 1);
  };
  std::string descr = field("descr");
  std::string type;
  if (descr.find("<f4") != std::string::npos)
    type = "f4";
  else if (descr.find("<i4") != std::string::npos)
    type = "i4";
  else if (descr.find("<i8") != std::string::npos)
    type = "i8";
  else
    return Unsupported(path + ": dtype not supported (want <f4, <i4 or <i8)");
  if (field("fortran_order").find("True") < field("fortran_order").find(',')) {
    return Unsupported(path + ": Fortran order not supported");
  }
  std::string shp = field("shape");
  auto open = shp.find('('), close = shp.find(')');
  if (open == std::string::npos || close == std::string::npos) return Corrupt(path + ": bad shape");
  NpyArray a;
  int64_t n = 1;
  std::string inner = shp.substr(open + 1, close - open - 1);
  size_t i = 0;
  while (i < inner.size()) {
    while (i < inner.size() && (inner[i] == ' ' || inner[i] == ',')) ++i;
    if (i >= inner.size()) break;
    int64_t v = 0;
    while (i < inner.size() && inner[i] >= '0' && inner[i] <= '9') v = v * 10 + (inner[i++] - '0');
    a.shape.push_back(v);
    n *= v;
    while (i < inner.size() && inner[i] != ',') ++i;
  }
  size_t esize = type == "i8" ? 8 : 4;
  size_t start = hstart + hlen;
  if (s.size() - start != static_cast<size_t>(n) * esize)
    return Corrupt(path + ": data size does not match shape");
  const char* d = s.data() + start;
  if (type == "f4") {
    a.f32.resize(n);
    std::memcpy(a.f32.data(), d, n * 4);
  } else {
    a.ints.resize(n);
    for (int64_t k = 0; k < n; ++k) {
      if (esize == 4) {
        int32_t v;
        std::memcpy(&v, d + k * 4, 4);
        a.ints[k] = v;
      } else {
        std::memcpy(&a.ints[k], d + k * 8, 8);
      }
    }
  }
  return a;
}

}  // namespace qw::io
