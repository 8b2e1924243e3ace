// CredentialSet (server/auth/credentials.h): AWS shared-credentials parsing, the file-mode
// check, and that no message ever carries a secret.
#include "server/auth/credentials.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include <gtest/gtest.h>

#include "tests/support/test_util.h"

namespace seglog::server {
namespace {

constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

TEST(CredentialsParse, ProfilesCommentsSpacesAndIgnoredKeys) {
  const std::string text =
      "# a comment\n"
      "; another comment\n"
      "\n"
      "[default]\n"
      "aws_access_key_id = AKIDONE\n"
      "aws_secret_access_key = secret/one+A\n"
      "aws_session_token = ignored-token\n"
      "region = eu-west-1\n"
      "\r\n"
      "  [ profile two ]  \r\n"
      "aws_access_key_id=AKIDTWO\r\n"
      "\taws_secret_access_key   =   secret=two==  \r\n"
      "[only-region]\n"
      "region = us-west-2\n";
  CredentialSet set;
  ASSERT_TRUE(CredentialSet::Parse(text, &set).ok());
  EXPECT_EQ(set.size(), 2u);
  ASSERT_NE(set.Secret("AKIDONE"), nullptr);
  EXPECT_EQ(*set.Secret("AKIDONE"), "secret/one+A");
  ASSERT_NE(set.Secret("AKIDTWO"), nullptr);
  EXPECT_EQ(*set.Secret("AKIDTWO"), "secret=two==");  // split at the first '=' only
  EXPECT_EQ(set.Secret("AKIDTHREE"), nullptr);
  EXPECT_EQ(set.Secret("akidone"), nullptr);  // key ids are case-sensitive
}

TEST(CredentialsParse, MalformedFilesAreRefusedWithoutTheSecret) {
  struct Case {
    const char* text;
    const char* expect_in_message;
  };
  const std::string secret = kSecret;
  const Case cases[] = {
      {"[p]\naws_access_key_id = AKID\n", "without aws_secret_access_key"},
      {"[p]\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n",
       "without aws_access_key_id"},
      {"[p]\naws_access_key_id =\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n",
       "empty aws_access_key_id"},
      {"[p]\naws_access_key_id = AKID\naws_secret_access_key =\n", "empty aws_secret_access_key"},
      {"aws_access_key_id = AKID\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n",
       "before any [profile]"},
      {"[p]\nwJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n", "line 2"},
      {"[p\naws_access_key_id = AKID\n", "line 1"},
      {"[a]\naws_access_key_id = AKID\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n"
       "[b]\naws_access_key_id = AKID\naws_secret_access_key = zzsecondsecretzz\n",
       "different secret"},
      {"[p]\naws_access_key_id = A\naws_access_key_id = B\naws_secret_access_key = s\n",
       "given twice"},
  };
  for (const auto& c : cases) {
    CredentialSet set;
    const Status s = CredentialSet::Parse(c.text, &set);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.text;
    EXPECT_NE(s.message().find(c.expect_in_message), std::string::npos) << s.message();
    EXPECT_EQ(s.message().find(secret), std::string::npos) << s.message();
    EXPECT_EQ(s.message().find("zzsecondsecretzz"), std::string::npos) << s.message();
  }
}

TEST(CredentialsParse, FailedParseLeavesTheSetAlone) {
  CredentialSet set;
  set.Add("KEEP", "kept");
  EXPECT_FALSE(CredentialSet::Parse("[p]\naws_access_key_id = X\n", &set).ok());
  ASSERT_NE(set.Secret("KEEP"), nullptr);
  EXPECT_EQ(set.size(), 1u);
}

class CredentialsLoad : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& text, mode_t mode) {
    const std::string path = Join(name);
    {
      std::ofstream f(path, std::ios::binary);
      f << text;
    }
    EXPECT_EQ(::chmod(path.c_str(), mode), 0);
    return path;
  }
  const std::string good_ = std::string("[default]\naws_access_key_id = AKIDEXAMPLE\n") +
                            "aws_secret_access_key = " + kSecret + "\n";
  seglog::testing::TempDir dir_;
  std::string Join(const std::string& name) const { return dir_.path() + "/" + name; }
};

TEST_F(CredentialsLoad, OwnerOnlyModesAreAccepted) {
  for (const mode_t mode : {mode_t{0600}, mode_t{0400}}) {
    const std::string path = Write("creds" + std::to_string(mode), good_, mode);
    CredentialSet set;
    const Status s = CredentialSet::Load(path, &set);
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_NE(set.Secret("AKIDEXAMPLE"), nullptr);
    EXPECT_EQ(*set.Secret("AKIDEXAMPLE"), kSecret);
  }
}

TEST_F(CredentialsLoad, GroupOrOtherBitsAreRefusedNamingPathAndMode) {
  for (const mode_t mode : {mode_t{0644}, mode_t{0640}, mode_t{0604}, mode_t{0700}, mode_t{0660}}) {
    const std::string path = Write("creds", good_, mode);
    CredentialSet set;
    const Status s = CredentialSet::Load(path, &set);
    char octal[8];
    std::snprintf(octal, sizeof octal, "%04o", static_cast<unsigned>(mode));
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(s.message().find(path), std::string::npos) << s.message();
    EXPECT_NE(s.message().find(octal), std::string::npos) << s.message();
    EXPECT_EQ(s.message().find(kSecret), std::string::npos) << s.message();
    EXPECT_TRUE(set.empty());
  }
}

TEST_F(CredentialsLoad, DirectoryMissingFileEmptyAndMalformedAreRefused) {
  CredentialSet set;
  const std::string sub = Join("sub");
  ASSERT_EQ(::mkdir(sub.c_str(), 0700), 0);
  Status s = CredentialSet::Load(sub, &set);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("not a regular file"), std::string::npos) << s.message();

  s = CredentialSet::Load(Join("absent"), &set);
  EXPECT_EQ(s.code(), StatusCode::kIOError) << s.ToString();

  s = CredentialSet::Load(Write("empty", "# nothing\n[p]\nregion = x\n", 0600), &set);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("no aws_access_key_id"), std::string::npos) << s.message();

  const std::string bad = Write("bad", "[p]\naws_secret_access_key = " + std::string(kSecret) +
                                           "\n", 0600);
  s = CredentialSet::Load(bad, &set);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find(bad), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find(kSecret), std::string::npos) << s.message();
  EXPECT_TRUE(set.empty());
}

}  // namespace
}  // namespace seglog::server
