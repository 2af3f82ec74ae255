#include "engine/safetensors.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

namespace sy::engine {

namespace {

[[noreturn]] void fail(const std::string& file, const std::string& what) {
  throw EngineError(file + ": " + what);
}

DType parse_dtype(std::string_view s) {
  if (s == "F32") return DType::f32;
  if (s == "F16") return DType::f16;
  if (s == "BF16") return DType::bf16;
  if (s == "I64") return DType::i64;
  if (s == "I32") return DType::i32;
  if (s == "I8") return DType::i8;
  if (s == "U8") return DType::u8;
  return DType::other;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw EngineError(path + ": cannot open: " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

size_t dtype_size(DType d) {
  switch (d) {
    case DType::f32: case DType::i32: return 4;
    case DType::f16: case DType::bf16: return 2;
    case DType::i64: return 8;
    case DType::i8: case DType::u8: return 1;
    case DType::other: return 0;
  }
  return 0;
}

const char* dtype_name(DType d) {
  switch (d) {
    case DType::f32: return "F32";
    case DType::f16: return "F16";
    case DType::bf16: return "BF16";
    case DType::i64: return "I64";
    case DType::i32: return "I32";
    case DType::i8: return "I8";
    case DType::u8: return "U8";
    case DType::other: return "unsupported";
  }
  return "unsupported";
}

int64_t TensorView::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

// ---- MappedFile -------------------------------------------------------------------------------

MappedFile MappedFile::open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail(path, std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    fail(path, std::string("cannot stat: ") + std::strerror(e));
  }
  MappedFile f;
  f.path_ = path;
  f.size_ = static_cast<size_t>(st.st_size);
  if (f.size_ > 0) {
    void* p = ::mmap(nullptr, f.size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      int e = errno;
      ::close(fd);
      fail(path, std::string("cannot mmap: ") + std::strerror(e));
    }
    f.data_ = static_cast<const std::byte*>(p);
  }
  ::close(fd);  // the mapping keeps the file alive
  return f;
}

MappedFile::MappedFile(MappedFile&& o) noexcept
    : path_(std::move(o.path_)), data_(o.data_), size_(o.size_) {
  o.data_ = nullptr;
  o.size_ = 0;
}

MappedFile& MappedFile::operator=(MappedFile&& o) noexcept {
  if (this != &o) {
    if (data_) ::munmap(const_cast<std::byte*>(data_), size_);
    path_ = std::move(o.path_);
    data_ = o.data_;
    size_ = o.size_;
    o.data_ = nullptr;
    o.size_ = 0;
  }
  return *this;
}

MappedFile::~MappedFile() {
  if (data_) ::munmap(const_cast<std::byte*>(data_), size_);
}

void MappedFile::release(const std::byte* p, size_t n) const {
  if (!data_ || n == 0) return;
  const auto page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  auto begin = reinterpret_cast<uintptr_t>(p);
  auto end = begin + n;
  begin = (begin + page - 1) / page * page;  // only whole pages inside the tensor
  end = end / page * page;
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

// ---- parsing ----------------------------------------------------------------------------------

std::vector<TensorView> SafeTensors::parse(const std::byte* data, size_t size, const std::string& file) {
  if (size < 8) fail(file, "not a safetensors file (shorter than the 8-byte header length)");
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<uint8_t>(data[i]);
  if (n > size - 8) {
    fail(file, "header length " + std::to_string(n) + " exceeds the file size " + std::to_string(size));
  }
  rapidjson::Document doc;
  doc.Parse(reinterpret_cast<const char*>(data + 8), static_cast<size_t>(n));
  if (doc.HasParseError()) {
    fail(file, std::string("malformed header JSON at offset ") + std::to_string(doc.GetErrorOffset()) +
                   ": " + rapidjson::GetParseError_En(doc.GetParseError()));
  }
  if (!doc.IsObject()) fail(file, "header is not a JSON object");
  const std::byte* base = data + 8 + n;
  const size_t data_size = size - 8 - static_cast<size_t>(n);

  std::vector<TensorView> out;
  for (auto& m : doc.GetObject()) {
    std::string name(m.name.GetString(), m.name.GetStringLength());
    if (name == "__metadata__") continue;
    const auto& v = m.value;
    auto bad = [&](const std::string& why) { fail(file, "tensor '" + name + "': " + why); };
    if (!v.IsObject()) bad("entry is not an object");
    auto dt = v.FindMember("dtype");
    auto sh = v.FindMember("shape");
    auto off = v.FindMember("data_offsets");
    if (dt == v.MemberEnd() || !dt->value.IsString()) bad("missing string 'dtype'");
    if (sh == v.MemberEnd() || !sh->value.IsArray()) bad("missing array 'shape'");
    if (off == v.MemberEnd() || !off->value.IsArray() || off->value.Size() != 2) {
      bad("missing 'data_offsets' [begin, end]");
    }
    TensorView t;
    t.name = name;
    t.dtype = parse_dtype(dt->value.GetString());
    if (t.dtype == DType::other) bad(std::string("unsupported dtype '") + dt->value.GetString() + "'");
    uint64_t numel = 1;
    for (const auto& d : sh->value.GetArray()) {
      if (!d.IsUint64()) bad("shape has a non-integer or negative dimension");
      uint64_t dim = d.GetUint64();
      if (dim != 0 && numel > std::numeric_limits<uint64_t>::max() / dim / 8) bad("shape too large");
      numel *= dim;
      t.shape.push_back(static_cast<int64_t>(dim));
    }
    const auto& o = off->value;
    if (!o[0].IsUint64() || !o[1].IsUint64()) bad("data_offsets are not non-negative integers");
    uint64_t b = o[0].GetUint64(), e = o[1].GetUint64();
    if (b > e || e > data_size) {
      bad("data_offsets [" + std::to_string(b) + ", " + std::to_string(e) + "] out of range (data is " +
          std::to_string(data_size) + " bytes)");
    }
    if (e - b != numel * dtype_size(t.dtype)) {
      bad("data_offsets span " + std::to_string(e - b) + " bytes but shape x dtype needs " +
          std::to_string(numel * dtype_size(t.dtype)));
    }
    t.data = base + b;
    t.nbytes = static_cast<size_t>(e - b);
    out.push_back(std::move(t));
  }
  return out;
}

void SafeTensors::add_file(const std::string& path) {
  auto f = std::make_unique<MappedFile>(MappedFile::open(path));
  auto fname = std::make_unique<std::string>(path);
  auto views = parse(f->data(), f->size(), path);
  // metadata: re-parse only the __metadata__ member (strings only, per the format)
  {
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<uint8_t>(f->data()[i]);
    rapidjson::Document doc;
    doc.Parse(reinterpret_cast<const char*>(f->data() + 8), static_cast<size_t>(n));
    auto md = doc.FindMember("__metadata__");
    if (md != doc.MemberEnd() && md->value.IsObject()) {
      for (auto& kv : md->value.GetObject()) {
        if (kv.value.IsString()) metadata_[kv.name.GetString()] = kv.value.GetString();
      }
    }
  }
  for (auto& v : views) {
    if (tensors_.count(v.name)) fail(path, "tensor '" + v.name + "' appears in more than one shard");
    v.file = fname.get();
    tensors_.emplace(v.name, std::move(v));
  }
  owner_[fname.get()] = f.get();
  files_.push_back(std::move(f));
  file_names_.push_back(std::move(fname));
}

SafeTensors SafeTensors::open_file(const std::string& path) {
  SafeTensors st;
  st.origin_ = path;
  st.add_file(path);
  return st;
}

SafeTensors SafeTensors::open_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  const std::string single = (fs::path(dir) / "model.safetensors").string();
  const std::string index = (fs::path(dir) / "model.safetensors.index.json").string();
  if (fs::exists(single)) return open_file(single);
  if (!fs::exists(index)) {
    throw EngineError(single + ": not found (nor " + index +
                      "); only safetensors weights are supported (convert pytorch_model.bin first)");
  }
  rapidjson::Document doc;
  std::string text = read_text(index);
  doc.Parse(text.c_str(), text.size());
  if (doc.HasParseError() || !doc.IsObject()) fail(index, "malformed JSON");
  auto wm = doc.FindMember("weight_map");
  if (wm == doc.MemberEnd() || !wm->value.IsObject()) fail(index, "missing object 'weight_map'");
  std::set<std::string> shards;
  std::map<std::string, std::string> expected;
  for (auto& kv : wm->value.GetObject()) {
    if (!kv.value.IsString()) fail(index, "weight_map values must be file names");
    std::string shard = kv.value.GetString();
    if (shard.find('/') != std::string::npos || shard.find("..") != std::string::npos) {
      fail(index, "shard name '" + shard + "' must be a plain file name");
    }
    shards.insert(shard);
    expected[kv.name.GetString()] = shard;
  }
  if (shards.empty()) fail(index, "weight_map is empty");
  SafeTensors st;
  st.origin_ = index;
  for (const auto& s : shards) st.add_file((fs::path(dir) / s).string());
  for (const auto& [name, shard] : expected) {
    auto it = st.tensors_.find(name);
    if (it == st.tensors_.end()) fail(index, "tensor '" + name + "' is listed but not found in " + shard);
  }
  return st;
}

const TensorView* SafeTensors::find(const std::string& name) const {
  auto it = tensors_.find(name);
  return it == tensors_.end() ? nullptr : &it->second;
}

const TensorView& SafeTensors::get(const std::string& name) const {
  auto* t = find(name);
  if (!t) throw EngineError(origin_ + ": missing tensor '" + name + "'");
  return *t;
}

void SafeTensors::release(const TensorView& t) const {
  auto it = owner_.find(t.file);
  if (it != owner_.end()) it->second->release(t.data, t.nbytes);
}

// ---- conversion -------------------------------------------------------------------------------

float half_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t mant = h & 0x3ffu;
  uint32_t bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {  // subnormal: renormalize
      int e = -1;
      do {
        ++e;
        mant <<= 1;
      } while ((mant & 0x400u) == 0);
      mant &= 0x3ffu;
      bits = sign | static_cast<uint32_t>(127 - 15 - e) << 23 | mant << 13;
    }
  } else if (exp == 0x1f) {
    bits = sign | 0x7f800000u | mant << 13;
  } else {
    bits = sign | (exp + 127 - 15) << 23 | mant << 13;
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

float bf16_to_float(uint16_t b) {
  uint32_t bits = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

void to_f32(const TensorView& t, std::span<float> out) {
  const auto n = static_cast<size_t>(t.numel());
  const std::string where = t.file ? *t.file : std::string("<memory>");
  if (out.size() != n) {
    throw EngineError(where + ": tensor '" + t.name + "' has " + std::to_string(n) + " elements, expected " +
                      std::to_string(out.size()));
  }
  switch (t.dtype) {
    case DType::f32:
      std::memcpy(out.data(), t.data, n * 4);
      return;
    case DType::f16:
    case DType::bf16: {
      const bool half = t.dtype == DType::f16;
      for (size_t i = 0; i < n; ++i) {
        uint16_t v;
        std::memcpy(&v, t.data + 2 * i, 2);
        out[i] = half ? half_to_float(v) : bf16_to_float(v);
      }
      return;
    }
    default:
      throw EngineError(where + ": tensor '" + t.name + "' has dtype " + dtype_name(t.dtype) +
                        "; expected F32, F16 or BF16");
  }
}

std::vector<float> to_f32(const TensorView& t) {
  std::vector<float> v(static_cast<size_t>(t.numel()));
  to_f32(t, v);
  return v;
}

}  // namespace sy::engine
