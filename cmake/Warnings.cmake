# One warning policy for every target of ours; third-party headers are included as SYSTEM so their
# warnings do not count against "warnings at zero".
add_library(sy_warnings INTERFACE)
target_compile_options(sy_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow=local -Wnon-virtual-dtor -Woverloaded-virtual
  -Wno-missing-field-initializers
  # GCC 12 misreports Asio's coroutine-frame operator new/delete pair (a known false positive).
  -Wno-mismatched-new-delete
  # At -O3 GCC 12 reports impossible overlaps inside std::string's char_traits copy (GCC PR 105329).
  $<$<CONFIG:Release>:-Wno-restrict>
  $<$<BOOL:${SWITCHYARD_WERROR}>:-Werror>)

if(SWITCHYARD_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
