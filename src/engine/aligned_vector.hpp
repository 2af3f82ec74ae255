#pragma once
// std::vector whose storage starts on a 64-byte cache line. The engine's activation buffers use it
// so that rows whose length is a multiple of 16 floats start on a line: a 64-byte AVX-512 store
// then writes exactly one line. (malloc's large blocks start 16 bytes into a page, which made every
// zmm store of a GEMM's output straddle two lines — two store-buffer commits, two RFOs.)
#include <cstddef>
#include <new>
#include <vector>

namespace sy::engine {

template <typename T>
struct CacheAlignedAllocator {
  using value_type = T;
  static constexpr std::align_val_t kAlign{64};
  CacheAlignedAllocator() = default;
  template <typename U>
  CacheAlignedAllocator(const CacheAlignedAllocator<U>&) noexcept {}
  T* allocate(size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), kAlign)); }
  void deallocate(T* p, size_t) noexcept { ::operator delete(p, kAlign); }
  template <typename U>
  bool operator==(const CacheAlignedAllocator<U>&) const noexcept {
    return true;
  }
};

template <typename T>
using AlignedVector = std::vector<T, CacheAlignedAllocator<T>>;

}  // namespace sy::engine
