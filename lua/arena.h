// A deterministic allocator for guest Lua states.
//
// Lua's default allocator (malloc) places objects at addresses that differ
// from run to run, and Lua orders and prints objects by address. The arena
// hands out memory from one reserved region with size-class free lists, so
// the same sequence of allocations yields the same offsets on every run:
// `pairs` can order table/function keys by offset, and iterations are
// reproducible. reset() forgets every allocation at once, which makes
// throwing a state away O(1). save() copies the bytes in use and restore()
// puts them back: because the region never moves, a Lua state saved after
// its scenario's top level ran comes back whole, pointers and all, for the
// price of one memcpy.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace lockstep::lua {

class Arena {
 public:
  // Reserves `reserve` bytes of address space (committed lazily by the OS).
  explicit Arena(size_t reserve = size_t{4} << 30);
  ~Arena();
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // lua_Alloc-compatible entry point; `ud` is the Arena.
  static void* lua_alloc(void* ud, void* ptr, size_t osize, size_t nsize);

  void reset();
  // Copies the allocator's state and the bytes in use; restore() returns
  // to exactly that point (everything allocated since is forgotten).
  void save();
  void restore();
  // Leaves the largest block allocated between watch() and leave_out() out
  // of save() and restore(). For a block whose bytes are the same at every
  // restore point (the caller's promise), such as a thread's reserved
  // stack that is all nil between uses: copying it would be wasted.
  void watch() { watching_ = true, watched_ = {}; }
  void leave_out() { watching_ = false, left_out_ = watched_; }
  size_t left_out_bytes() const { return left_out_.size; }
  bool saved() const { return saved_bump_ != 0; }
  size_t saved_bytes() const { return snapshot_.size(); }
  bool contains(const void* p) const {
    auto a = reinterpret_cast<uintptr_t>(p);
    return a >= base_ && a < base_ + reserve_;
  }
  uint64_t offset(const void* p) const { return reinterpret_cast<uintptr_t>(p) - base_; }
  size_t used() const { return bump_ - base_; }
  // Allocations that would take the arena past `bytes` fail (and say so).
  void set_limit(size_t bytes) { limit_ = bytes; }
  bool limit_hit() const { return limit_hit_; }
  // Called when an allocation fails for the limit (async-signal-safe work
  // only: it may run inside any allocation).
  void on_limit(void (*f)()) { on_limit_ = f; }
  void clear_limit_hit() { limit_hit_ = false; }

 private:
  static constexpr int kClasses = 200;
  static int size_class(size_t n);
  static size_t class_size(int c);
  void* allocate(size_t n);
  void deallocate(void* p, size_t n);
  void trim(uintptr_t keep);

  uintptr_t base_ = 0;
  size_t reserve_ = 0;
  size_t limit_ = SIZE_MAX;
  bool limit_hit_ = false;
  void (*on_limit_)() = nullptr;
  uintptr_t bump_ = 0;
  size_t high_water_ = 0;
  std::array<void*, kClasses> free_{};

  struct Block {
    uintptr_t at = 0;
    size_t size = 0;
  };
  bool watching_ = false;
  Block watched_, left_out_;

  std::vector<char> snapshot_;
  uintptr_t saved_bump_ = 0;
  std::array<void*, kClasses> saved_free_{};
};

}  // namespace lockstep::lua
