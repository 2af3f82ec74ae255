#pragma once
// Read-only view of Hugging Face safetensors files (single file or sharded with
// model.safetensors.index.json), memory-mapped.
//
// Format: 8-byte little-endian header length N, then N bytes of JSON
//   {"<name>": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}}
// then the data region; offsets are relative to the start of the data region. Every problem
// (short file, malformed JSON, offsets out of range or inconsistent with shape×dtype, unknown
// dtype) throws EngineError naming the file.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "engine/error.hpp"

namespace sy::engine {

enum class DType { f32, f16, bf16, i64, i32, i8, u8, other };

size_t dtype_size(DType);
const char* dtype_name(DType);

struct TensorView {
  std::string name;
  DType dtype = DType::f32;
  std::vector<int64_t> shape;
  const std::byte* data = nullptr;  // points into the mapping
  size_t nbytes = 0;
  const std::string* file = nullptr;  // the file it lives in, for errors

  int64_t numel() const;
};

// One mapped file. Movable, not copyable; unmaps on destruction.
class MappedFile {
 public:
  static MappedFile open(const std::string& path);  // throws EngineError naming the file
  MappedFile(MappedFile&&) noexcept;
  MappedFile& operator=(MappedFile&&) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  const std::byte* data() const { return data_; }
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }
  // Drops the pages of [p, p+n) from this process's resident set (file-backed, so they can be
  // read again later). Used after converting a tensor to the compute layout.
  void release(const std::byte* p, size_t n) const;

 private:
  MappedFile() = default;
  std::string path_;
  const std::byte* data_ = nullptr;
  size_t size_ = 0;
};

// All tensors of a model, across shards.
class SafeTensors {
 public:
  // Opens <dir>/model.safetensors, or the shards listed in <dir>/model.safetensors.index.json.
  static SafeTensors open_dir(const std::string& dir);
  // Opens one file.
  static SafeTensors open_file(const std::string& path);
  // Parses a header of an in-memory buffer (used by the mapping code and by tests).
  static std::vector<TensorView> parse(const std::byte* data, size_t size, const std::string& file);

  const TensorView* find(const std::string& name) const;
  const TensorView& get(const std::string& name) const;  // throws naming the missing tensor
  const std::map<std::string, TensorView>& tensors() const { return tensors_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  // Releases the mapped pages of a tensor once it has been copied out.
  void release(const TensorView&) const;
  // Human description of where tensors come from ("<dir>/model.safetensors" or the index file).
  const std::string& origin() const { return origin_; }

 private:
  void add_file(const std::string& path);
  std::vector<std::unique_ptr<MappedFile>> files_;
  std::vector<std::unique_ptr<std::string>> file_names_;
  std::map<std::string, TensorView> tensors_;
  std::map<std::string, std::string> metadata_;
  std::map<const std::string*, const MappedFile*> owner_;
  std::string origin_;
};

// Copies a tensor to f32 (converting F16/BF16), checking the element count.
void to_f32(const TensorView&, std::span<float> out);
std::vector<float> to_f32(const TensorView&);

// IEEE half / bfloat16 → float.
float half_to_float(uint16_t h);
float bf16_to_float(uint16_t b);

}  // namespace sy::engine
