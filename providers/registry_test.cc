#include "providers/registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "server/common/status_matchers.h"

namespace videoplatform::providers {
namespace {

using ::testing::_;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::videoplatform::testing::IsOk;
using ::videoplatform::testing::StatusIs;

// A provider that only knows its name; enough to tell instances apart.
class FakePlatform : public VideoPlatform {
 public:
  explicit FakePlatform(std::string name, std::string setting = "")
      : name_(std::move(name)), setting_(std::move(setting)) {}
  absl::string_view name() const override { return name_; }
  Capabilities capabilities() const override { return {}; }
  absl::StatusOr<CreatedMeeting> CreateMeeting(const MeetingSpec&,
                                               const CallContext&) override {
    return absl::UnimplementedError("fake");
  }
  absl::StatusOr<std::vector<RoomSession>> GetRoomSessions(
      const MeetingRef&, const CallContext&) override {
    return absl::UnimplementedError("fake");
  }
  absl::Status DeleteRoom(const MeetingRef&, const CallContext&) override {
    return absl::UnimplementedError("fake");
  }
  absl::Status UploadLogo(const MeetingRef&, absl::string_view,
                          absl::string_view, const CallContext&) override {
    return absl::UnimplementedError("fake");
  }
  absl::Status VerifyWebhookSignature(const WebhookRequest&,
                                      absl::Time) const override {
    return absl::UnimplementedError("fake");
  }
  const std::string& setting() const { return setting_; }

 private:
  std::string name_;
  std::string setting_;
};

// A factory requiring `required`; the provider records the value of the first
// required setting.
ProviderFactory FakeFactory(std::string name,
                            std::vector<std::string> required = {}) {
  ProviderFactory factory;
  factory.name = name;
  factory.capabilities.can_delete_room = true;
  factory.required_settings = required;
  factory.create = [name, required](const SettingsLookup& settings)
      -> absl::StatusOr<std::unique_ptr<VideoPlatform>> {
    std::string value;
    if (!required.empty()) value = settings(required[0]).value_or("");
    return std::make_unique<FakePlatform>(name, value);
  };
  return factory;
}

TEST(ProviderRegistryTest, RegistersAndFinds) {
  ProviderRegistry registry;
  ASSERT_THAT(registry.Register(FakeFactory("whereby", {"WHEREBY_API_KEY"})),
              IsOk());
  const ProviderFactory* found = registry.Find("whereby");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->name, "whereby");
  EXPECT_THAT(found->required_settings, ElementsAre("WHEREBY_API_KEY"));
  EXPECT_EQ(registry.Find("daily"), nullptr);
  EXPECT_EQ(registry.Find(""), nullptr);
}

TEST(ProviderRegistryTest, DuplicateIsAlreadyExists) {
  ProviderRegistry registry;
  ASSERT_THAT(registry.Register(FakeFactory("mock")), IsOk());
  EXPECT_THAT(
      registry.Register(FakeFactory("mock")),
      StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("\"mock\"")));
  EXPECT_THAT(registry.Names(), ElementsAre("mock"));
}

TEST(ProviderRegistryTest, RejectsBadNames) {
  for (const std::string& bad :
       {std::string(""), std::string("Zoom"), std::string("1zoom"),
        std::string("_zoom"), std::string("zo-om"), std::string("zo om"),
        std::string("zoom\n"), std::string("zoöm"), std::string(33, 'a')}) {
    ProviderRegistry registry;
    EXPECT_THAT(registry.Register(FakeFactory(bad)),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("[a-z][a-z0-9_]*")))
        << "name: " << bad;
    EXPECT_THAT(registry.Names(), IsEmpty());
  }
}

TEST(ProviderRegistryTest, AcceptsGoodNames) {
  ProviderRegistry registry;
  for (const std::string& good :
       {std::string("a"), std::string("daily2"), std::string("big_blue_button"),
        std::string(32, 'z')}) {
    EXPECT_THAT(registry.Register(FakeFactory(good)), IsOk()) << good;
  }
}

TEST(ProviderRegistryTest, RejectsFactoryWithoutCreate) {
  ProviderRegistry registry;
  ProviderFactory factory = FakeFactory("mock");
  factory.create = nullptr;
  EXPECT_THAT(registry.Register(std::move(factory)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("\"mock\""), HasSubstr("create"))));
  EXPECT_EQ(registry.Find("mock"), nullptr);
}

TEST(ProviderRegistryTest, NamesAreSorted) {
  ProviderRegistry registry;
  ASSERT_THAT(registry.Register(FakeFactory("whereby")), IsOk());
  ASSERT_THAT(registry.Register(FakeFactory("daily")), IsOk());
  ASSERT_THAT(registry.Register(FakeFactory("mock")), IsOk());
  EXPECT_THAT(registry.Names(), ElementsAre("daily", "mock", "whereby"));
}

TEST(EnvironmentSettingsTest, ReadsEnvironment) {
  const char* kName = "VIDEOPLATFORM_REGISTRY_TEST_SETTING";
  SettingsLookup settings = EnvironmentSettings();
  ASSERT_EQ(unsetenv(kName), 0);
  EXPECT_EQ(settings(kName), std::nullopt);
  ASSERT_EQ(setenv(kName, "", 1), 0);
  EXPECT_EQ(settings(kName), std::nullopt) << "empty means unset";
  ASSERT_EQ(setenv(kName, "value 1", 1), 0);
  EXPECT_EQ(settings(kName), "value 1");
  // A string_view that is not NUL-terminated at the name's end.
  std::string longer = std::string(kName) + "_SUFFIX";
  EXPECT_EQ(settings(absl::string_view(longer).substr(0, strlen(kName))),
            "value 1");
  ASSERT_EQ(unsetenv(kName), 0);
}

class ProvidersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(registry_.Register(FakeFactory("whereby", {"WHEREBY_API_KEY"})),
                IsOk());
    ASSERT_THAT(registry_.Register(
                    FakeFactory("daily", {"DAILY_API_KEY", "DAILY_SUBDOMAIN"})),
                IsOk());
    ASSERT_THAT(registry_.Register(FakeFactory("mock")), IsOk());
  }
  ProviderRegistry registry_;
};

TEST_F(ProvidersTest, BuildsConfiguredPlatformsOnly) {
  absl::StatusOr<std::unique_ptr<Providers>> providers = Providers::Create(
      registry_, MapSettings({{"WHEREBY_API_KEY", "secret-key-1"},
                              {"DAILY_API_KEY", "secret-key-2"},
                              {"DAILY_SUBDOMAIN", ""}}));
  ASSERT_THAT(providers, IsOk());

  std::vector<PlatformStatus> statuses = (*providers)->Statuses();
  ASSERT_EQ(statuses.size(), 3u);
  EXPECT_EQ(statuses[0].name, "daily");
  EXPECT_FALSE(statuses[0].configured);
  EXPECT_THAT(statuses[0].missing_settings, ElementsAre("DAILY_SUBDOMAIN"));
  EXPECT_TRUE(statuses[0].capabilities.can_delete_room);
  EXPECT_EQ(statuses[1].name, "mock");
  EXPECT_TRUE(statuses[1].configured);
  EXPECT_THAT(statuses[1].missing_settings, IsEmpty());
  EXPECT_EQ(statuses[2].name, "whereby");
  EXPECT_TRUE(statuses[2].configured);
  EXPECT_THAT(statuses[2].missing_settings, IsEmpty());

  absl::StatusOr<VideoPlatform*> whereby = (*providers)->Get("whereby");
  ASSERT_THAT(whereby, IsOk());
  EXPECT_EQ((*whereby)->name(), "whereby");
  // The factory saw the settings.
  EXPECT_EQ(static_cast<FakePlatform*>(*whereby)->setting(), "secret-key-1");
  // The same instance every time.
  EXPECT_EQ(*(*providers)->Get("whereby"), *whereby);

  absl::StatusOr<VideoPlatform*> mock = (*providers)->Get("mock");
  ASSERT_THAT(mock, IsOk());
  EXPECT_EQ((*mock)->name(), "mock");
}

TEST_F(ProvidersTest, ListsEveryMissingSetting) {
  absl::StatusOr<std::unique_ptr<Providers>> providers =
      Providers::Create(registry_, MapSettings({}));
  ASSERT_THAT(providers, IsOk());
  std::vector<PlatformStatus> statuses = (*providers)->Statuses();
  ASSERT_EQ(statuses.size(), 3u);
  EXPECT_THAT(statuses[0].missing_settings,
              ElementsAre("DAILY_API_KEY", "DAILY_SUBDOMAIN"));
  EXPECT_THAT(statuses[2].missing_settings, ElementsAre("WHEREBY_API_KEY"));
  EXPECT_THAT((*providers)->Get("daily"),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("platform \"daily\" is not configured: set "
                                 "DAILY_API_KEY, DAILY_SUBDOMAIN")));
}

TEST_F(ProvidersTest, GetUnconfiguredIsFailedPreconditionNamingTheSetting) {
  absl::StatusOr<std::unique_ptr<Providers>> providers = Providers::Create(
      registry_,
      MapSettings({{"DAILY_API_KEY", "k"}, {"DAILY_SUBDOMAIN", "s"}}));
  ASSERT_THAT(providers, IsOk());
  EXPECT_THAT(
      (*providers)->Get("whereby"),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               "platform \"whereby\" is not configured: set WHEREBY_API_KEY"));
  EXPECT_THAT((*providers)->Get("daily"), IsOk());
}

TEST_F(ProvidersTest, GetUnknownIsInvalidArgumentListingKnownNames) {
  absl::StatusOr<std::unique_ptr<Providers>> providers =
      Providers::Create(registry_, MapSettings({}));
  ASSERT_THAT(providers, IsOk());
  EXPECT_THAT((*providers)->Get("zoom"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "unknown platform \"zoom\" (known platforms: daily, "
                       "mock, whereby)"));
  EXPECT_THAT((*providers)->Get(""),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown platform \"\"")));
  // Names are exact: no case folding.
  EXPECT_THAT((*providers)->Get("Mock"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("Mock")));
}

TEST_F(ProvidersTest, UnknownNamesAreEscapedAndCut) {
  absl::StatusOr<std::unique_ptr<Providers>> providers =
      Providers::Create(registry_, MapSettings({}));
  ASSERT_THAT(providers, IsOk());
  absl::Status status = (*providers)->Get("a\"b\nc").status();
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr("\"a\\\"b\\nc\"")));
  status = (*providers)->Get(std::string(1000, 'x')).status();
  EXPECT_LT(status.message().size(), 200u) << status;
}

TEST_F(ProvidersTest, CheckKnown) {
  absl::StatusOr<std::unique_ptr<Providers>> providers =
      Providers::Create(registry_, MapSettings({}));
  ASSERT_THAT(providers, IsOk());
  // Registered but unconfigured platforms are known.
  EXPECT_THAT((*providers)->CheckKnown("whereby", "default_platform"), IsOk());
  EXPECT_THAT((*providers)->CheckKnown("mock", "default_platform"), IsOk());
  EXPECT_THAT(
      (*providers)->CheckKnown("zoom", "default_platform"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               "default_platform: unknown platform \"zoom\" (known: daily, "
               "mock, whereby)"));
}

TEST_F(ProvidersTest, EmptyRegistry) {
  ProviderRegistry empty;
  absl::StatusOr<std::unique_ptr<Providers>> providers =
      Providers::Create(empty, MapSettings({}));
  ASSERT_THAT(providers, IsOk());
  EXPECT_THAT((*providers)->Statuses(), IsEmpty());
  EXPECT_THAT((*providers)->Get("mock"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("none registered")));
}

TEST_F(ProvidersTest, MalformedSettingFailsCreate) {
  ProviderFactory strict;
  strict.name = "strict";
  strict.required_settings = {"STRICT_URL"};
  strict.create = [](const SettingsLookup& settings)
      -> absl::StatusOr<std::unique_ptr<VideoPlatform>> {
    std::string url = settings("STRICT_URL").value_or("");
    if (url.rfind("https://", 0) != 0) {
      return absl::InvalidArgumentError("STRICT_URL: must start with https://");
    }
    return std::make_unique<FakePlatform>("strict", url);
  };
  ASSERT_THAT(registry_.Register(std::move(strict)), IsOk());

  EXPECT_THAT(
      Providers::Create(registry_,
                        MapSettings({{"STRICT_URL", "htp://typo.example"}})),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("\"strict\""), HasSubstr("STRICT_URL"),
                     Not(HasSubstr("typo.example")))));
  // Unset is not malformed: the platform is merely unconfigured.
  absl::StatusOr<std::unique_ptr<Providers>> unset =
      Providers::Create(registry_, MapSettings({}));
  ASSERT_THAT(unset, IsOk());
  EXPECT_THAT((*unset)->Get("strict"),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("set STRICT_URL")));
  // Well-formed: built.
  absl::StatusOr<std::unique_ptr<Providers>> good = Providers::Create(
      registry_, MapSettings({{"STRICT_URL", "https://ok.example"}}));
  ASSERT_THAT(good, IsOk());
  EXPECT_THAT((*good)->Get("strict"), IsOk());
}

TEST_F(ProvidersTest, FactoryReturningNullOrWrongNameIsInternal) {
  ProviderFactory null_factory;
  null_factory.name = "nothing";
  null_factory.create = [](const SettingsLookup&)
      -> absl::StatusOr<std::unique_ptr<VideoPlatform>> { return nullptr; };
  ProviderRegistry registry;
  ASSERT_THAT(registry.Register(std::move(null_factory)), IsOk());
  EXPECT_THAT(Providers::Create(registry, MapSettings({})),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("\"nothing\"")));

  ProviderFactory misnamed = FakeFactory("other");
  misnamed.name = "renamed";
  ProviderRegistry registry2;
  ASSERT_THAT(registry2.Register(std::move(misnamed)), IsOk());
  EXPECT_THAT(
      Providers::Create(registry2, MapSettings({})),
      StatusIs(absl::StatusCode::kInternal,
               AllOf(HasSubstr("\"renamed\""), HasSubstr("\"other\""))));
}

TEST_F(ProvidersTest, SecretsNeverInErrors) {
  absl::StatusOr<std::unique_ptr<Providers>> providers = Providers::Create(
      registry_, MapSettings({{"DAILY_API_KEY", "very-secret-value"}}));
  ASSERT_THAT(providers, IsOk());
  for (const char* name : {"daily", "whereby", "zoom"}) {
    absl::Status status = (*providers)->Get(name).status();
    EXPECT_THAT(std::string(status.message()),
                Not(HasSubstr("very-secret-value")));
  }
}

}  // namespace
}  // namespace videoplatform::providers
