// A cereal input archive for the portable binary format that reads from
// memory and refuses a size field larger than the bytes left to read, so a
// crafted file cannot make a string or vector allocate gigabytes before the
// decoder notices it is short (cereal resizes before it reads). Every
// element of every container lockstep writes takes at least one byte, so
// the check never refuses a valid file. Reads what PortableBinaryOutputArchive
// writes.
#pragma once

#include <cereal/cereal.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

namespace lockstep {

class BoundedInputArchive : public cereal::InputArchive<BoundedInputArchive, cereal::AllowEmptyClassElision> {
 public:
  explicit BoundedInputArchive(std::string_view bytes)
      : cereal::InputArchive<BoundedInputArchive, cereal::AllowEmptyClassElision>(this), bytes_(bytes) {
    uint8_t little = 1;
    load_binary(&little, 1, 1);  // the writer's byte order
    swap_ = little == 0;
  }

  // Copies `size` bytes in elements of `element` bytes (swapped if the
  // writer's byte order was the other one).
  void load_binary(void* data, size_t size, size_t element) {
    if (size > bytes_.size() - at_) {
      throw cereal::Exception("wanted " + std::to_string(size) + " bytes, " + std::to_string(bytes_.size() - at_) +
                              " left");
    }
    std::memcpy(data, bytes_.data() + at_, size);
    at_ += size;
    if (swap_ && element > 1) {
      auto* p = static_cast<uint8_t*>(data);
      for (size_t i = 0; i + element <= size; i += element) std::reverse(p + i, p + i + element);
    }
  }

  // A container of `n` elements must have at least `n` bytes left.
  void check_size(uint64_t n) const {
    if (n > bytes_.size() - at_) {
      throw cereal::Exception("a size field says " + std::to_string(n) + " elements, but only " +
                              std::to_string(bytes_.size() - at_) + " bytes are left");
    }
  }

 private:
  std::string_view bytes_;
  size_t at_ = 0;
  bool swap_ = false;
};

}  // namespace lockstep

namespace cereal {

template <class T>
inline std::enable_if_t<std::is_arithmetic<T>::value> CEREAL_LOAD_FUNCTION_NAME(lockstep::BoundedInputArchive& ar,
                                                                                 T& t) {
  ar.load_binary(std::addressof(t), sizeof(t), sizeof(t));
}

template <class T>
inline void CEREAL_LOAD_FUNCTION_NAME(lockstep::BoundedInputArchive& ar, NameValuePair<T>& t) {
  ar(t.value);
}

template <class T>
inline void CEREAL_LOAD_FUNCTION_NAME(lockstep::BoundedInputArchive& ar, SizeTag<T>& t) {
  ar(t.size);
  ar.check_size(static_cast<uint64_t>(t.size));
}

template <class T>
inline void CEREAL_LOAD_FUNCTION_NAME(lockstep::BoundedInputArchive& ar, BinaryData<T>& bd) {
  using TT = std::remove_pointer_t<T>;
  ar.load_binary(bd.data, static_cast<size_t>(bd.size), sizeof(TT));
}

namespace traits::detail {
template <>
struct get_output_from_input<lockstep::BoundedInputArchive> {
  using type = PortableBinaryOutputArchive;
};
}  // namespace traits::detail

}  // namespace cereal

CEREAL_REGISTER_ARCHIVE(lockstep::BoundedInputArchive)
