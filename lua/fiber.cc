#include "lua/fiber.h"

#include <sys/mman.h>
#include <unistd.h>

#include <new>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LOCKSTEP_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define LOCKSTEP_ASAN 1
#endif
#ifdef LOCKSTEP_ASAN
#include <sanitizer/asan_interface.h>
#endif

namespace lockstep::lua {

namespace fiber {
#ifdef LOCKSTEP_ASAN
void entering(void** token, const void* bottom, size_t size) { __sanitizer_start_switch_fiber(token, bottom, size); }
void entered(void* token, const void** from_bottom, size_t* from_size) {
  __sanitizer_finish_switch_fiber(token, from_bottom, from_size);
}
#else
void entering(void**, const void*, size_t) {}
void entered(void*, const void**, size_t*) {}
#endif
}  // namespace fiber

StackPool::StackPool(size_t stack_bytes) : page_(static_cast<size_t>(sysconf(_SC_PAGESIZE))) {
  bytes_ = (stack_bytes + page_ - 1) / page_ * page_;
}

StackPool::~StackPool() {
  for (const Stack& s : all_) munmap(s.base - page_, s.size + page_);
}

StackPool::Stack StackPool::acquire() {
  if (!free_.empty()) {
    Stack s = free_.back();
    free_.pop_back();
    return s;
  }
  // Reserved lazily: a process touches only the pages its calls reach.
  void* p = mmap(nullptr, bytes_ + page_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) throw StacksExhausted();
  if (mprotect(p, page_, PROT_NONE) != 0) {
    munmap(p, bytes_ + page_);
    throw StacksExhausted();
  }
  Stack s{static_cast<char*>(p) + page_, bytes_};
  all_.push_back(s);
  return s;
}

fiber::Context StackPool::prepare(Stack s, void (*entry)(fiber::Transfer)) {
#ifdef LOCKSTEP_ASAN
  // A reused stack may hold the frames of a process abandoned mid-run,
  // with AddressSanitizer's redzones around their locals still marked.
  ASAN_UNPOISON_MEMORY_REGION(s.base, s.size);
#endif
  return boost::context::detail::make_fcontext(s.base + s.size, s.size, entry);
}

}  // namespace lockstep::lua
