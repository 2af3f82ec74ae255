#include "engine/safetensors.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace sy::engine;

namespace {

std::string file_bytes(const std::string& header, const std::vector<uint8_t>& data, int64_t len_override = -1) {
  std::string out(8, '\0');
  uint64_t n = len_override >= 0 ? static_cast<uint64_t>(len_override) : header.size();
  for (int i = 0; i < 8; ++i) out[static_cast<size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xff);
  out += header;
  out.append(reinterpret_cast<const char*>(data.data()), data.size());
  return out;
}

class SafeTensorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("sy_st_" + std::to_string(::getpid()) + "_" +
                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }
  std::string write(const std::string& name, const std::string& bytes) {
    auto p = (dir / name).string();
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }
  template <typename F>
  std::string error_of(F&& f) {
    try {
      f();
    } catch (const EngineError& e) {
      return e.what();
    }
    return "";
  }
  fs::path dir;
};

std::vector<uint8_t> floats(std::initializer_list<float> v) {
  std::vector<uint8_t> b(v.size() * 4);
  std::memcpy(b.data(), std::data(v), b.size());
  return b;
}

}  // namespace

TEST_F(SafeTensorsTest, ReadsF32AndMetadata) {
  auto p = write("model.safetensors",
                 file_bytes(R"({"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"__metadata__":{"format":"pt"}})",
                            floats({1, 2, 3, 4})));
  auto st = SafeTensors::open_file(p);
  const auto& t = st.get("a");
  EXPECT_EQ(t.shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(to_f32(t), (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(st.metadata().at("format"), "pt");
  EXPECT_EQ(st.find("b"), nullptr);
  EXPECT_NE(error_of([&] { st.get("b"); }).find("missing tensor 'b'"), std::string::npos);
}

TEST_F(SafeTensorsTest, ConvertsHalfAndBfloat16) {
  // 1.0, -2.0, 65504 (max half), 2^-24 (smallest subnormal half)
  std::vector<uint8_t> h = {0x00, 0x3c, 0x00, 0xc0, 0xff, 0x7b, 0x01, 0x00};
  // bf16 1.0 (0x3f80), -0.5 (0xbf00)
  std::vector<uint8_t> b = {0x80, 0x3f, 0x00, 0xbf};
  std::vector<uint8_t> data = h;
  data.insert(data.end(), b.begin(), b.end());
  auto p = write("m.safetensors",
                 file_bytes(R"({"h":{"dtype":"F16","shape":[4],"data_offsets":[0,8]},)"
                            R"("b":{"dtype":"BF16","shape":[2],"data_offsets":[8,12]}})",
                            data));
  auto st = SafeTensors::open_file(p);
  EXPECT_EQ(to_f32(st.get("h")), (std::vector<float>{1.0f, -2.0f, 65504.0f, std::ldexp(1.0f, -24)}));
  EXPECT_EQ(to_f32(st.get("b")), (std::vector<float>{1.0f, -0.5f}));
}

TEST_F(SafeTensorsTest, MalformedHeaderNamesTheFile) {
  auto p = write("bad.safetensors", file_bytes(R"({"a":{"dtype":"F32",)", {}));
  auto e = error_of([&] { SafeTensors::open_file(p); });
  EXPECT_NE(e.find(p), std::string::npos) << e;
  EXPECT_NE(e.find("malformed header JSON"), std::string::npos) << e;
}

TEST_F(SafeTensorsTest, HeaderLengthBeyondFile) {
  auto p = write("short.safetensors", file_bytes("{}", {}, 1000));
  auto e = error_of([&] { SafeTensors::open_file(p); });
  EXPECT_NE(e.find(p), std::string::npos);
  EXPECT_NE(e.find("exceeds the file size"), std::string::npos) << e;
  auto p2 = write("tiny.safetensors", "abc");
  EXPECT_NE(error_of([&] { SafeTensors::open_file(p2); }).find("shorter than"), std::string::npos);
}

TEST_F(SafeTensorsTest, OffsetsOutOfRange) {
  auto p = write("oob.safetensors",
                 file_bytes(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", floats({1, 2})));
  auto e = error_of([&] { SafeTensors::open_file(p); });
  EXPECT_NE(e.find(p), std::string::npos);
  EXPECT_NE(e.find("tensor 'a'"), std::string::npos);
  EXPECT_NE(e.find("out of range"), std::string::npos) << e;
}

TEST_F(SafeTensorsTest, OffsetsDisagreeWithShape) {
  auto p = write("span.safetensors",
                 file_bytes(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", floats({1, 2})));
  EXPECT_NE(error_of([&] { SafeTensors::open_file(p); }).find("shape x dtype needs 12"), std::string::npos);
}

TEST_F(SafeTensorsTest, UnsupportedDtype) {
  auto p = write("dt.safetensors",
                 file_bytes(R"({"a":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}})", {1, 2}));
  auto e = error_of([&] { SafeTensors::open_file(p); });
  EXPECT_NE(e.find(p), std::string::npos);
  EXPECT_NE(e.find("unsupported dtype 'F8_E4M3'"), std::string::npos) << e;
}

TEST_F(SafeTensorsTest, WrongDtypeForComputeNamesFileAndTensor) {
  auto p = write("i64.safetensors",
                 file_bytes(R"({"ids":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}})", {1, 0, 0, 0, 0, 0, 0, 0}));
  auto st = SafeTensors::open_file(p);
  auto e = error_of([&] { to_f32(st.get("ids")); });
  EXPECT_NE(e.find(p), std::string::npos);
  EXPECT_NE(e.find("'ids' has dtype I64"), std::string::npos) << e;
}

TEST_F(SafeTensorsTest, ShardedIndex) {
  write("s1.safetensors", file_bytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", floats({5})));
  write("s2.safetensors", file_bytes(R"({"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", floats({6})));
  write("model.safetensors.index.json", R"({"metadata":{},"weight_map":{"a":"s1.safetensors","b":"s2.safetensors"}})");
  auto st = SafeTensors::open_dir(dir.string());
  EXPECT_EQ(to_f32(st.get("a"))[0], 5.0f);
  EXPECT_EQ(to_f32(st.get("b"))[0], 6.0f);

  write("model.safetensors.index.json", R"({"weight_map":{"a":"s1.safetensors","c":"s2.safetensors"}})");
  auto e = error_of([&] { SafeTensors::open_dir(dir.string()); });
  EXPECT_NE(e.find("model.safetensors.index.json"), std::string::npos);
  EXPECT_NE(e.find("'c'"), std::string::npos) << e;

  write("model.safetensors.index.json", R"({"weight_map":{"a":"../s1.safetensors"}})");
  EXPECT_NE(error_of([&] { SafeTensors::open_dir(dir.string()); }).find("plain file name"), std::string::npos);

  write("model.safetensors.index.json", R"({"weight_map":{"a":"missing.safetensors"}})");
  EXPECT_NE(error_of([&] { SafeTensors::open_dir(dir.string()); }).find("missing.safetensors"), std::string::npos);
}

TEST_F(SafeTensorsTest, MissingWeightsNamesTheFile) {
  auto e = error_of([&] { SafeTensors::open_dir(dir.string()); });
  EXPECT_NE(e.find("model.safetensors"), std::string::npos);
  EXPECT_NE(e.find("not found"), std::string::npos);
}
