#include "common/request_id.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

namespace sy {
namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST(RequestId, NewIdsCarryTheirMillisecondAndSortByTime) {
  const int64_t before = now_ms();
  const std::string a = new_request_id();
  const int64_t after = now_ms();
  ASSERT_EQ(a.size(), 4u + 24u);
  EXPECT_TRUE(a.starts_with("req_"));
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef", 4), std::string::npos) << a;
  auto t = request_id_time_ms(a);
  ASSERT_TRUE(t.has_value());
  EXPECT_GE(*t, before);
  EXPECT_LE(*t, after);
  EXPECT_NE(a, new_request_id());
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  EXPECT_LT(a, new_request_id());
}

TEST(RequestId, TimeOnlyFromIdsOfOurOwnShape) {
  EXPECT_EQ(request_id_time_ms("req_019aa0b1c2d3ffffffffffff"), 0x019aa0b1c2d3);
  EXPECT_FALSE(request_id_time_ms("req_019aa0b1c2d3fffffffffff"));    // one digit short
  EXPECT_FALSE(request_id_time_ms("req_019AA0B1C2D3ffffffffffff"));   // upper case: not ours
  EXPECT_FALSE(request_id_time_ms("abc_019aa0b1c2d3ffffffffffff"));
  EXPECT_FALSE(request_id_time_ms("3f2b8c1e-5d4a-4f6e-9b7c-1a2d3e4f5a6b"));
  EXPECT_FALSE(request_id_time_ms(""));
}

}  // namespace
}  // namespace sy
