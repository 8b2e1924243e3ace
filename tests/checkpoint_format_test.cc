// CHECKPOINTS file: round trip, every flipped byte detected, versioning.
#include <gtest/gtest.h>

#include "format/checkpoint_format.h"
#include "format/coding.h"
#include "tests/support/test_util.h"

namespace seglog::format {
namespace {

TEST(CheckpointFormatTest, RoundTripAndEveryFlipDetected) {
  std::vector<CheckpointEntry> in = {{"app", 0, SeqNo(7)}, {"app", 3, SeqNo(1ull << 40)},
                                     {std::string(128, 'c'), 1023, SeqNo(0)}};
  ByteBuffer b = EncodeCheckpoints(in);
  std::vector<CheckpointEntry> out;
  ASSERT_OK(DecodeCheckpoints(b, &out));
  EXPECT_EQ(out, in);
  for (size_t i = 0; i < b.size(); ++i) {
    ByteBuffer c = b;
    c[i] ^= 0x01;
    EXPECT_FALSE(DecodeCheckpoints(c, &out).ok()) << "flip at " << i;
  }
  for (size_t n = 0; n < b.size(); ++n) {
    EXPECT_FALSE(DecodeCheckpoints(ByteView(b).first(n), &out).ok()) << "cut at " << n;
  }
  ASSERT_OK(DecodeCheckpoints(EncodeCheckpoints({}), &out));
  EXPECT_TRUE(out.empty());
}

TEST(CheckpointFormatTest, NewerVersionIsNotSupported) {
  ByteBuffer b = EncodeCheckpoints({{"x", 0, SeqNo(1)}});
  EncodeFixed32(b.data() + 8, kCheckpointVersion + 1);
  EncodeFixed64(b.data() + b.size() - 8, Checksum(ByteView(b).first(b.size() - 8)));
  std::vector<CheckpointEntry> out;
  EXPECT_EQ(DecodeCheckpoints(b, &out).code(), StatusCode::kNotSupported);
}

}  // namespace
}  // namespace seglog::format
