// Queue tags in the engine (Queues::TagQueue, UntagQueue, ListTags, Create with tags;
// engine/queues/queue_tags.h): SQS's limits, replace and remove, one catalog property written
// whole, creation and tags in one catalog write, reopen, read-only stores, a failed catalog
// write changing nothing. SPEC.md 16.16.
#include "engine/queues/queue_tags.h"

#include <gtest/gtest.h>

#include "engine/queues/queue.h"
#include "tests/support/fault_fs.h"
#include "tests/support/queue_fixture.h"
#include "tests/support/test_util.h"

namespace seglog {
namespace {

using testing::QueueTest;

class QueueTagsTest : public QueueTest {
 protected:
  QueueTags Tags(const std::string& q) {
    QueueTags t;
    EXPECT_OK(queues_->ListTags(q, &t));
    return t;
  }
  // The tags property of q's message log in the catalog; nullptr when absent.
  std::string CatalogTags(const std::string& q, bool* present) {
    *present = false;
    for (const auto& e : store_->CatalogSnapshot().logs) {
      if (e.name != "queue:" + q + "/messages") continue;
      if (const std::string* v = format::FindProp(e, kTagsProp)) {
        *present = true;
        return *v;
      }
    }
    return "";
  }
  static QueueTags Many(size_t n, const std::string& prefix = "k") {
    QueueTags t;
    for (size_t i = 0; i < n; ++i) t[prefix + std::to_string(i)] = "v" + std::to_string(i);
    return t;
  }
};

// ---- the rules ----

TEST_F(QueueTagsTest, KeyRules) {
  EXPECT_OK(CheckQueueTagKey("a"));
  EXPECT_OK(CheckQueueTagKey("Team Name_1.x:y/z=w+v-u@t"));
  EXPECT_OK(CheckQueueTagKey(std::string(128, 'k')));
  // Characters, not bytes: 128 three-byte characters are a valid key (384 bytes).
  std::string wide;
  for (int i = 0; i < 128; ++i) wide += "\xe6\x97\xa5";  // U+65E5
  EXPECT_OK(CheckQueueTagKey(wide));
  EXPECT_EQ(CheckQueueTagKey(wide + "\xe6\x97\xa5").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckQueueTagKey(std::string(129, 'k')).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckQueueTagKey("").code(), StatusCode::kInvalidArgument);
  for (const char* reserved : {"aws:x", "AWS:x", "Aws:", "aWs:cost"}) {
    const Status s = CheckQueueTagKey(reserved);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << reserved;
    EXPECT_NE(s.message().find("aws:"), std::string::npos) << s.message();
  }
  EXPECT_OK(CheckQueueTagKey("aws"));
  EXPECT_OK(CheckQueueTagKey("xaws:"));
  for (const char* bad : {"a*b", "a\tb", "a\nb", "a,b", "a#b", "a!b", "a\"b", "a\x7f"}) {
    const Status s = CheckQueueTagKey(bad);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad;
  }
  const Status s = CheckQueueTagKey("cost*center");
  EXPECT_NE(s.message().find("'cost*center'"), std::string::npos) << "names the key: "
                                                                   << s.message();
  EXPECT_NE(s.message().find("U+002A"), std::string::npos) << s.message();
  // Not UTF-8, and a C1 control.
  EXPECT_EQ(CheckQueueTagKey("a\xff").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckQueueTagKey("a\xc2\x85").code(), StatusCode::kInvalidArgument);
  EXPECT_OK(CheckQueueTagKey("caf\xc3\xa9"));  // é
}

TEST_F(QueueTagsTest, ValueRules) {
  EXPECT_OK(CheckQueueTagValue("k", ""));
  EXPECT_OK(CheckQueueTagValue("k", std::string(256, 'v')));
  EXPECT_OK(CheckQueueTagValue("k", "aws:is fine in a value"));
  const Status s = CheckQueueTagValue("owner", std::string(257, 'v'));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("'owner'"), std::string::npos) << s.message();
  EXPECT_EQ(CheckQueueTagValue("k", "a;b").code(), StatusCode::kInvalidArgument);
  EXPECT_OK(CheckQueueTagValue("k", "A b.c:d/e=f+g-h@i_j 0"));
}

TEST_F(QueueTagsTest, EncodingRoundTripsAndRefusesDamage) {
  QueueTags t = {{"a", ""}, {"b:c", "1:2"}, {"\xe6\x97\xa5", "x y"}, {"z", std::string(256, 'v')}};
  const std::string text = EncodeQueueTags(t);
  QueueTags back;
  ASSERT_OK(DecodeQueueTags(text, &back));
  EXPECT_EQ(back, t);
  ASSERT_OK(DecodeQueueTags("", &back));
  EXPECT_TRUE(back.empty());
  for (const char* bad : {"1:a", "1:a2:b", "x:a0:", "01:a0:", "2:a0:", "1:b0:1:a0:", "1:a0:1:a0:",
                          ":a0:", "99999999999:a0:"}) {
    QueueTags untouched = {{"keep", "me"}};
    EXPECT_EQ(DecodeQueueTags(bad, &untouched).code(), StatusCode::kCorruption) << bad;
    EXPECT_EQ(untouched.size(), 1u) << bad;
  }
}

// ---- TagQueue, UntagQueue, ListTags ----

TEST_F(QueueTagsTest, TagReplaceUntagList) {
  CreateStd("q");
  EXPECT_TRUE(Tags("q").empty());
  bool present = true;
  CatalogTags("q", &present);
  EXPECT_FALSE(present) << "an untagged queue has no tags property";
  ASSERT_OK(queues_->TagQueue("q", {{"env", "prod"}, {"team", "a"}}));
  ASSERT_OK(queues_->TagQueue("q", {{"env", "test"}, {"Env", "x"}}));  // replace; case-sensitive
  EXPECT_EQ(Tags("q"), (QueueTags{{"Env", "x"}, {"env", "test"}, {"team", "a"}}));
  const std::vector<std::string> rm = {"team", "nope"};
  ASSERT_OK(queues_->UntagQueue("q", rm));
  EXPECT_EQ(Tags("q"), (QueueTags{{"Env", "x"}, {"env", "test"}}));
  const std::vector<std::string> rm_all = {"Env", "env"};
  ASSERT_OK(queues_->UntagQueue("q", rm_all));
  EXPECT_TRUE(Tags("q").empty());
  ASSERT_OK(queues_->UntagQueue("q", rm_all)) << "removing absent keys is fine";
}

TEST_F(QueueTagsTest, AtMostFiftyTagsAndARefusalChangesNothing) {
  CreateStd("q");
  ASSERT_OK(queues_->TagQueue("q", Many(49)));
  const QueueTags before = Tags("q");
  Status s = queues_->TagQueue("q", {{"x", "1"}, {"y", "2"}});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("51"), std::string::npos) << s.message();
  EXPECT_EQ(Tags("q"), before);
  ASSERT_OK(queues_->TagQueue("q", {{"k0", "replaced"}, {"x", "1"}}));  // 50: fine
  EXPECT_EQ(Tags("q").size(), 50u);
  EXPECT_EQ(queues_->TagQueue("q", Many(51, "n")).code(), StatusCode::kInvalidArgument);
  // One bad tag among good ones: none is added.
  const QueueTags at50 = Tags("q");
  s = queues_->TagQueue("q", {{"k1", "new"}, {"bad*key", "v"}});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("'bad*key'"), std::string::npos) << s.message();
  EXPECT_EQ(Tags("q"), at50);
  EXPECT_EQ(queues_->TagQueue("q", {}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(queues_->UntagQueue("q", {}).code(), StatusCode::kInvalidArgument);
  const std::vector<std::string> bad = {"k1", "aws:x"};
  EXPECT_EQ(queues_->UntagQueue("q", bad).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Tags("q"), at50) << "a refused untag removes nothing";
}

TEST_F(QueueTagsTest, NoSuchQueue) {
  QueueTags t;
  EXPECT_EQ(queues_->ListTags("none", &t).code(), StatusCode::kNotFound);
  EXPECT_EQ(queues_->TagQueue("none", {{"a", "b"}}).code(), StatusCode::kNotFound);
  const std::vector<std::string> k = {"a"};
  EXPECT_EQ(queues_->UntagQueue("none", k).code(), StatusCode::kNotFound);
  EXPECT_EQ(queues_->ListTags("bad/name", &t).code(), StatusCode::kInvalidArgument);
}

TEST_F(QueueTagsTest, TagsSurviveReopenAndGoWithTheQueue) {
  CreateStd("q");
  ASSERT_OK(queues_->TagQueue("q", {{"env", "prod"}, {"\xe6\x97\xa5", ""}}));
  Reopen();
  EXPECT_EQ(Tags("q"), (QueueTags{{"env", "prod"}, {"\xe6\x97\xa5", ""}}));
  ASSERT_OK(queues_->Delete("q"));
  CreateStd("q");
  EXPECT_TRUE(Tags("q").empty()) << "a new queue of the name starts untagged";
}

TEST_F(QueueTagsTest, TagChangesDoNotTouchTheSettingsOrTimes) {
  CreateStd("q");
  QueueDescription a, b;
  ASSERT_OK(queues_->Describe("q", &a));
  clock_.Advance(5'000);
  ASSERT_OK(queues_->TagQueue("q", {{"env", "prod"}}));
  ASSERT_OK(queues_->Describe("q", &b));
  EXPECT_EQ(a.last_modified_ms, b.last_modified_ms) << "SQS: tags are not attributes";
  Reopen();
  ASSERT_OK(queues_->Describe("q", &b));
  EXPECT_EQ(a.config.visibility_timeout_s, b.config.visibility_timeout_s);
  EXPECT_EQ(a.last_modified_ms, b.last_modified_ms);
}

TEST_F(QueueTagsTest, ReadOnlyStoreReadsTagsAndRefusesChanges) {
  CreateStd("q");
  ASSERT_OK(queues_->TagQueue("q", {{"env", "prod"}}));
  Close();
  StoreOptions so;
  so.read_only = true;
  ASSERT_OK(testing::OpenEngine(dir_.path(), so, &store_, nullptr, &queues_));
  EXPECT_EQ(Tags("q"), (QueueTags{{"env", "prod"}}));
  EXPECT_EQ(queues_->TagQueue("q", {{"a", "b"}}).code(), StatusCode::kReadOnly);
  const std::vector<std::string> k = {"env"};
  EXPECT_EQ(queues_->UntagQueue("q", k).code(), StatusCode::kReadOnly);
  EXPECT_EQ(queues_->Create("r", Config(), QueueFields::All(), {{"a", "b"}}).code(),
            StatusCode::kReadOnly);
  EXPECT_EQ(Tags("q"), (QueueTags{{"env", "prod"}}));
}

TEST_F(QueueTagsTest, DamagedTagsPropertyIsCorruptionNotGarbage) {
  CreateStd("q");
  const std::string log = "queue:q/messages";
  ASSERT_OK(store_->SetLogProps(std::span<const std::string>(&log, 1), kTagsProp, "5:ab"));
  QueueTags t = {{"keep", "me"}};
  EXPECT_EQ(queues_->ListTags("q", &t).code(), StatusCode::kCorruption);
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(queues_->TagQueue("q", {{"a", "b"}}).code(), StatusCode::kCorruption)
      << "a change does not overwrite what it cannot read";
}

// ---- CreateQueue with tags ----

TEST_F(QueueTagsTest, CreateWithTagsWritesThemInTheCreationsCatalogWrite) {
  ASSERT_OK(queues_->Create("q", Config(), QueueFields::All(), {{"env", "prod"}, {"a", ""}}));
  bool present = false;
  const std::string text = CatalogTags("q", &present);
  ASSERT_TRUE(present) << "the tags are a property the creation wrote";
  QueueTags fromCatalog;
  ASSERT_OK(DecodeQueueTags(text, &fromCatalog));
  EXPECT_EQ(fromCatalog, (QueueTags{{"a", ""}, {"env", "prod"}}));
  EXPECT_EQ(Tags("q"), fromCatalog);
  Reopen();
  EXPECT_EQ(Tags("q"), fromCatalog);
}

TEST_F(QueueTagsTest, CreateOfAnExistingQueueNeitherComparesNorChangesTags) {
  ASSERT_OK(queues_->Create("q", Config(), QueueFields::All(), {{"env", "prod"}}));
  ASSERT_OK(queues_->Create("q", Config(), QueueFields::All(), {{"env", "test"}, {"x", "y"}}));
  EXPECT_EQ(Tags("q"), (QueueTags{{"env", "prod"}}));
  ASSERT_OK(queues_->Create("q", Config()));
  EXPECT_EQ(Tags("q"), (QueueTags{{"env", "prod"}}));
  QueueConfig other = Config();
  other.delay_s = 7;
  EXPECT_EQ(queues_->Create("q", other, QueueFields::All(), {{"z", "z"}}).code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(Tags("q"), (QueueTags{{"env", "prod"}}));
}

TEST_F(QueueTagsTest, CreateWithBadTagsCreatesNothing) {
  for (const QueueTags& bad : {QueueTags{{"aws:x", "1"}}, QueueTags{{"", "1"}},
                               QueueTags{{"k", std::string(257, 'v')}}, Many(51)}) {
    EXPECT_EQ(queues_->Create("q", Config(), QueueFields::All(), bad).code(),
              StatusCode::kInvalidArgument);
    EXPECT_TRUE(queues_->List().empty());
  }
}

// A tag change whose catalog write fails changes nothing, in memory or on disk.
class QueueTagsFaultTest : public QueueTagsTest {
 protected:
  QueueTagsFaultTest() {
    std::unique_ptr<io::FileSystem> base;
    EXPECT_OK(io::NewFileSystem(io::Backend::kPwrite, &base));
    fault_ = std::make_unique<io::FaultFileSystem>(std::move(base));
    fs_ = fault_.get();
  }
  std::unique_ptr<io::FaultFileSystem> fault_;
};

TEST_F(QueueTagsFaultTest, FailedCatalogWriteChangesNothing) {
  ASSERT_OK(queues_->Create("q", Config(), QueueFields::All(), {{"env", "prod"}}));
  fault_->FailNth(io::FsOp::kRename, fault_->count(io::FsOp::kRename) + 1, EIO);
  EXPECT_EQ(queues_->TagQueue("q", {{"env", "test"}, {"new", "1"}}).code(), StatusCode::kIOError);
  EXPECT_EQ(Tags("q"), (QueueTags{{"env", "prod"}}));
  fault_->FailNth(io::FsOp::kRename, fault_->count(io::FsOp::kRename) + 1, EIO);
  const std::vector<std::string> k = {"env"};
  EXPECT_EQ(queues_->UntagQueue("q", k).code(), StatusCode::kIOError);
  EXPECT_EQ(Tags("q"), (QueueTags{{"env", "prod"}}));
  fault_->FailNth(io::FsOp::kRename, fault_->count(io::FsOp::kRename) + 1, EIO);
  EXPECT_FALSE(queues_->Create("r", Config(), QueueFields::All(), {{"a", "b"}}).ok());
  Reopen();
  EXPECT_EQ(Tags("q"), (QueueTags{{"env", "prod"}}));
  EXPECT_EQ(queues_->List(), std::vector<std::string>{"q"}) << "the failed create left nothing";
}

}  // namespace
}  // namespace seglog
