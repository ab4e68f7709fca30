// A fingerprint of an iteration's state: what each concern of the VM (and
// the guest, for its values) writes when asked to hash itself.
//
// Canonical by construction: no addresses, and nothing named by the order
// in which it happened to be created. Processes, references, timers,
// tables and atomics arrays are named by their creation path (the process
// that created them and how many things it had created before: the same in
// any interleaving that reaches the state), through the Naming the VM
// installs. Collections whose order is not observable (the process table,
// armed timers, links) are hashed as multisets: `unordered` combines
// element hashes so that their order does not matter. Mailboxes and other
// sequences are hashed in order.
//
// 128 bits (two independent 64-bit lanes), so that a state cache of
// billions of states has a negligible chance of a collision.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace lockstep::vm {

// What a handle's canonical name is. The VM implements it; a hasher
// without one writes raw ids.
class Naming {
 public:
  virtual ~Naming() = default;
  virtual uint64_t pid(uint64_t pid) const = 0;
  virtual uint64_t ref(uint64_t ref) const = 0;
  virtual uint64_t timer(uint64_t id) const = 0;
  virtual uint64_t table(uint64_t id) const = 0;
  virtual uint64_t atomics(uint64_t id) const = 0;
  // Whether handles are hashed with their ids too (StateOptions::ids).
  virtual bool ids() const { return false; }
};

using ValueRef = uint32_t;
class StateHasher;

// Hashes a guest value by content (the guest implements it: vm::Guest).
class ValueHasher {
 public:
  virtual ~ValueHasher() = default;
  virtual void hash_value(ValueRef v, StateHasher& h) = 0;
  // Canonical key bytes (an ETS, term or disk key as the guest encodes
  // it), with any handle inside named as hash_value names it; by default
  // the bytes as they are.
  virtual void hash_key(std::string_view key, StateHasher& h);
};

struct Fingerprint {
  uint64_t hi = 0, lo = 0;
  bool operator==(const Fingerprint&) const = default;
  auto operator<=>(const Fingerprint&) const = default;
};

class StateHasher {
 public:
  explicit StateHasher(const Naming* naming = nullptr) : naming_(naming) {}

  StateHasher& u64(uint64_t v) {
    a_ = mix(a_ ^ v, 0x9e3779b97f4a7c15ull);
    b_ = mix(b_ + v, 0xc2b2ae3d27d4eb4full);
    ++n_;
    return *this;
  }
  StateHasher& i64(int64_t v) { return u64(static_cast<uint64_t>(v)); }
  StateHasher& boolean(bool v) { return u64(v ? 1 : 0); }
  // A tag that separates fields and kinds ("what comes next").
  StateHasher& tag(uint64_t t) { return u64(t * 0xff51afd7ed558ccdull + 0x2545f4914f6cdd1dull); }
  StateHasher& bytes(std::string_view s) {
    u64(s.size());
    size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
      uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      u64(w);
    }
    uint64_t tail = 0;
    if (i < s.size()) std::memcpy(&tail, s.data() + i, s.size() - i);
    return u64(tail);
  }
  // Handles, through the naming (raw ids without one).
  // With a naming that asks for ids (StateOptions::ids), the id as well.
  StateHasher& pid(uint64_t p) { return handle(1, p, naming_ ? naming_->pid(p) : p); }
  StateHasher& ref(uint64_t r) { return handle(2, r, naming_ ? naming_->ref(r) : r); }
  StateHasher& timer(uint64_t t) { return handle(3, t, naming_ ? naming_->timer(t) : t); }
  StateHasher& table(uint64_t t) { return handle(4, t, naming_ ? naming_->table(t) : t); }
  StateHasher& atomics(uint64_t t) { return handle(5, t, naming_ ? naming_->atomics(t) : t); }
  // Whether ids are hashed too (a guest adds where its objects sit).
  bool ids() const { return naming_ && naming_->ids(); }

  // Adds `element` (a fingerprint of one member of an unordered
  // collection) so that the members' order does not matter: the sum and
  // the xor of mixed members, folded in by end_unordered.
  struct Unordered {
    uint64_t sum = 0, x = 0, count = 0;
    void add(const Fingerprint& f) {
      sum += mix(f.hi, 0x94d049bb133111ebull) ^ f.lo;
      x ^= mix(f.lo, 0xbf58476d1ce4e5b9ull) + f.hi;
      ++count;
    }
  };
  StateHasher& unordered(const Unordered& u) { return tag(6).u64(u.count).u64(u.sum).u64(u.x); }

  // A hasher for one element of an unordered collection, sharing the naming.
  StateHasher element() const { return StateHasher(naming_); }
  const Naming* naming() const { return naming_; }

  StateHasher& handle(uint64_t kind, uint64_t id, uint64_t name) {
    tag(kind).u64(name);
    return ids() ? u64(id) : *this;
  }

  Fingerprint finish() const { return {mix(a_ ^ n_, 0x94d049bb133111ebull), mix(b_ + n_, 0xbf58476d1ce4e5b9ull)}; }

  // A 64-bit mixer (splitmix64's finaliser, keyed).
  static uint64_t mix(uint64_t x, uint64_t key) {
    x += key;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
  }

 private:
  const Naming* naming_;
  uint64_t a_ = 0x6a09e667f3bcc908ull, b_ = 0xbb67ae8584caa73bull, n_ = 0;
};

inline void ValueHasher::hash_key(std::string_view key, StateHasher& h) { h.bytes(key); }

}  // namespace lockstep::vm
