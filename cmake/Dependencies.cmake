# Every dependency comes from a Debian 12 package (scripts/install-deps.sh installs them).
find_package(Threads REQUIRED)
find_package(Boost 1.74 REQUIRED)                  # Asio + Beast (header-only): async HTTP server/client
find_package(OpenSSL REQUIRED)                     # TLS to upstreams
find_package(SQLite3 REQUIRED)                     # request log (default store)
find_package(yaml-cpp REQUIRED)                    # config file (with line numbers in errors)
find_package(spdlog REQUIRED)                      # process logging
find_package(fmt REQUIRED)
find_package(CLI11 REQUIRED)                       # command line
find_package(RapidJSON REQUIRED)                   # mutable DOM for pass-through JSON on the hot path
find_package(PkgConfig REQUIRED)
pkg_check_modules(OPENBLAS REQUIRED IMPORTED_TARGET openblas)   # engine GEMMs
pkg_check_modules(UTF8PROC REQUIRED IMPORTED_TARGET libutf8proc) # tokenizer normalization
pkg_check_modules(PCRE2 REQUIRED IMPORTED_TARGET libpcre2-8)     # tokenizer pre-tokenization

# The binary's allocator (SWITCHYARD_ALLOCATOR): gperftools' tcmalloc_minimal, thread-caching.
add_library(sy_allocator INTERFACE)
if(SWITCHYARD_ALLOCATOR STREQUAL "tcmalloc" AND NOT SWITCHYARD_SANITIZE)
  pkg_check_modules(TCMALLOC REQUIRED IMPORTED_TARGET libtcmalloc_minimal)
  target_link_libraries(sy_allocator INTERFACE PkgConfig::TCMALLOC)
elseif(NOT SWITCHYARD_ALLOCATOR STREQUAL "system" AND NOT SWITCHYARD_SANITIZE)
  message(FATAL_ERROR "SWITCHYARD_ALLOCATOR must be tcmalloc or system, not '${SWITCHYARD_ALLOCATOR}'")
endif()

add_library(sy_json INTERFACE)
target_include_directories(sy_json SYSTEM INTERFACE ${RAPIDJSON_INCLUDE_DIRS})
# std::string interop; 64-bit size types are not needed.
target_compile_definitions(sy_json INTERFACE RAPIDJSON_HAS_STDSTRING=1 RAPIDJSON_HAS_CXX11_RVALUE_REFS=1)

add_library(sy_asio INTERFACE)
target_include_directories(sy_asio SYSTEM INTERFACE ${Boost_INCLUDE_DIRS})
target_compile_definitions(sy_asio INTERFACE BOOST_ASIO_NO_DEPRECATED BOOST_BEAST_USE_STD_STRING_VIEW
  BOOST_ASIO_DISABLE_BOOST_COROUTINE)
# Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility> (fixed in 1.75).
target_compile_options(sy_asio INTERFACE -include utility)
target_link_libraries(sy_asio INTERFACE Threads::Threads OpenSSL::SSL OpenSSL::Crypto)
