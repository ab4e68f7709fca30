#include "lua/arena.h"

#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <bit>
#include <cstring>
#include <new>
#include <stdexcept>
#include <algorithm>

namespace lockstep::lua {
namespace {

// Arenas are placed at fixed addresses when the OS allows it, so that even
// printed addresses ("table: 0x...") repeat across runs of one worker.
constexpr uintptr_t kFixedBase = 0x3a0000000000ull;
std::atomic<uintptr_t> next_slot{0};

}  // namespace

Arena::Arena(size_t reserve) {
  // Under an address-space limit (ulimit -v) reserve at most an eighth of
  // it, and take less if the mapping is refused, down to 64 MiB.
  const size_t floor = std::min(reserve, size_t{64} << 20);  // 64 MiB, or less if asked for less
  rlimit limit{};
  if (getrlimit(RLIMIT_AS, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    reserve = std::max(floor, std::min<size_t>(reserve, limit.rlim_cur / 8));
  }
  const int prot = PROT_READ | PROT_WRITE;
  const int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
  void* p = MAP_FAILED;
  for (; p == MAP_FAILED && reserve >= floor; reserve /= 2) {
#ifdef MAP_FIXED_NOREPLACE
    const uintptr_t hint = kFixedBase + next_slot.fetch_add(1) * (size_t{4} << 30);
    p = mmap(reinterpret_cast<void*>(hint), reserve, prot, flags | MAP_FIXED_NOREPLACE, -1, 0);
    if (p != MAP_FAILED && reinterpret_cast<uintptr_t>(p) != hint) {
      munmap(p, reserve);
      p = MAP_FAILED;
    }
#endif
    if (p == MAP_FAILED) p = mmap(nullptr, reserve, prot, flags, -1, 0);
    if (p != MAP_FAILED) break;
  }
  if (p == MAP_FAILED) {
    throw std::runtime_error(
        "cannot reserve 64 MiB of address space for the scenario's Lua state; raise the address-space limit "
        "(ulimit -v)");
  }
  reserve_ = reserve;
  base_ = reinterpret_cast<uintptr_t>(p);
  bump_ = base_;
}

Arena::~Arena() { munmap(reinterpret_cast<void*>(base_), reserve_); }

// Classes 0..31: multiples of 16 up to 512. Above: four classes per power of
// two (e.g. 640, 768, 896, 1024, 1280, ...).
int Arena::size_class(size_t n) {
  if (n <= 512) return n == 0 ? 0 : static_cast<int>((n - 1) >> 4);
  const int e = 63 - std::countl_zero(static_cast<uint64_t>(n - 1));  // 2^e < n <= 2^(e+1)
  const size_t base = size_t{1} << e;
  const size_t step = base >> 2;
  const size_t k = (n - base + step - 1) / step;  // 1..4
  return 32 + (e - 9) * 4 + static_cast<int>(k - 1);
}

size_t Arena::class_size(int c) {
  if (c < 32) return static_cast<size_t>(c + 1) << 4;
  const int e = 9 + (c - 32) / 4;
  const size_t k = static_cast<size_t>((c - 32) % 4 + 1);
  const size_t base = size_t{1} << e;
  return base + k * (base >> 2);
}

void* Arena::allocate(size_t n) {
  const int c = size_class(n);
  if (c >= kClasses) return nullptr;
  if (void* p = free_[c]) {
    free_[c] = *static_cast<void**>(p);
    if (watching_ && class_size(c) > watched_.size) watched_ = {reinterpret_cast<uintptr_t>(p), class_size(c)};
    return p;
  }
  const size_t size = class_size(c);
  // Past the limit, or the reservation full (out of memory just the same).
  if (bump_ + size - base_ > limit_ || bump_ + size > base_ + reserve_) {
    limit_hit_ = true;
    if (on_limit_) on_limit_();
    return nullptr;
  }
  void* p = reinterpret_cast<void*>(bump_);
  if (watching_ && size > watched_.size) watched_ = {bump_, size};
  bump_ += size;
  return p;
}

void Arena::deallocate(void* p, size_t n) {
  const int c = size_class(n);
  *static_cast<void**>(p) = free_[c];
  free_[c] = p;
}

void* Arena::lua_alloc(void* ud, void* ptr, size_t osize, size_t nsize) {
  auto* arena = static_cast<Arena*>(ud);
  if (nsize == 0) {
    if (ptr) arena->deallocate(ptr, osize);
    return nullptr;
  }
  if (!ptr) return arena->allocate(nsize);
  if (size_class(osize) == size_class(nsize)) return ptr;
  void* fresh = arena->allocate(nsize);
  if (!fresh) return nullptr;
  std::memcpy(fresh, ptr, osize < nsize ? osize : nsize);
  arena->deallocate(ptr, osize);
  return fresh;
}

// Gives a large high-water mark above `keep` back to the OS; small ones stay warm.
void Arena::trim(uintptr_t keep) {
  const size_t used_now = bump_ - base_;
  if (used_now > high_water_) high_water_ = used_now;
  static const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const uintptr_t from = (keep + page - 1) & ~(page - 1);
  if (bump_ > from && bump_ - from > (size_t{256} << 20)) {
    madvise(reinterpret_cast<void*>(from), bump_ - from, MADV_DONTNEED);
  }
}

void Arena::reset() {
  trim(base_);
  watching_ = false;
  watched_ = left_out_ = {};
  bump_ = base_;
  free_.fill(nullptr);
  snapshot_.clear();
  saved_bump_ = 0;
}

// The snapshot holds [base, bump) but the left-out block: the bytes before
// it, then those after it.
void Arena::save() {
  if (left_out_.at + left_out_.size > bump_) left_out_ = {};
  const auto* base = reinterpret_cast<const char*>(base_);
  const size_t before = left_out_.size ? left_out_.at - base_ : bump_ - base_;
  snapshot_.assign(base, base + before);
  if (left_out_.size) snapshot_.insert(snapshot_.end(), base + before + left_out_.size, reinterpret_cast<const char*>(bump_));
  saved_bump_ = bump_;
  saved_free_ = free_;
}

void Arena::restore() {
  trim(saved_bump_);
  auto* base = reinterpret_cast<char*>(base_);
  const size_t before = left_out_.size ? left_out_.at - base_ : snapshot_.size();
  std::memcpy(base, snapshot_.data(), before);
  std::memcpy(base + before + left_out_.size, snapshot_.data() + before, snapshot_.size() - before);
  bump_ = saved_bump_;
  free_ = saved_free_;
}

}  // namespace lockstep::lua
