// The option table: resolution order, checks, and strategy parameters.
#include "engine/options.h"

#include <gtest/gtest.h>

#include <map>
#include <stdexcept>

#include "engine/runner.h"

namespace lockstep {
namespace {

TEST(Options, FlagOverridesTestWhichOverridesTheDefault) {
  auto r = resolve_options({{"max_steps", "7"}}, {{"max_steps", "5"}, {"iterations", "9"}});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->run.max_steps, 7u);
  EXPECT_EQ(r->iterations, 9u);
  EXPECT_EQ(r->seed, 1u);           // the default
  EXPECT_EQ(r->strategy, "pct");    // the default
  EXPECT_EQ(r->run.timers, TimerMode::kQuiescent);
}

TEST(Options, TheChosenStrategysParametersAreFilledWithTheirDefaults) {
  auto pct = resolve_options({}, {});
  ASSERT_TRUE(pct.ok());
  EXPECT_EQ(pct->params.get("pct_depth", 0), 3u);
  auto deep = resolve_options({{"pct_depth", "5"}}, {});
  EXPECT_EQ(deep->params.get("pct_depth", 0), 5u);
  auto pos = resolve_options({{"strategy", "pos"}, {"pct_depth", "5"}}, {});
  ASSERT_TRUE(pos.ok());
  EXPECT_TRUE(pos->params.values().empty());  // pos has no parameters
}

TEST(Options, BadValuesAreErrorsNamingTheOption) {
  auto zero = resolve_options({}, {{"pct_depth", "0"}});
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.status().message(), "pct_depth must be a positive integer, not \"0\"");
  auto timers = resolve_options({}, {{"timers", "often"}});
  ASSERT_FALSE(timers.ok());
  EXPECT_EQ(timers.status().message(), "timers must be \"quiescent\" or \"any\", not \"often\"");
  auto strategy = resolve_options({{"strategy", "dfz"}}, {});
  ASSERT_FALSE(strategy.ok());
  EXPECT_NE(strategy.status().message().find("unknown strategy \"dfz\" (known: random, pct, pos"),
            std::string::npos);
}

TEST(Options, RunOptionsAreSetAndReadByName) {
  RunOptions o;
  for (const OptionSpec& spec : test_options()) {
    if (spec.target != OptionTarget::kRun) continue;
    EXPECT_EQ(o.get(spec.name), spec.fallback) << spec.name;  // the struct's defaults are the table's
    EXPECT_TRUE(o.set(spec.name, spec.fallback));
  }
  EXPECT_TRUE(o.set("iter_timeout", "250"));
  EXPECT_EQ(o.iter_timeout_ms, 250u);
  EXPECT_FALSE(o.set("no_such_option", "1"));
}

TEST(Options, EveryOptionHasAFlagAndHelp) {
  for (const OptionSpec* spec : all_options()) {
    EXPECT_EQ(spec->flag.substr(0, 2), "--") << spec->name;
    EXPECT_FALSE(spec->help.empty()) << spec->name;
    // An empty default means "not set" (a strategy parameter like dfs's
    // delay_bound, absent unless given); any other default is valid.
    if (!spec->fallback.empty()) {
      EXPECT_TRUE(check_option(*spec, spec->fallback).ok()) << spec->name;
    }
  }
}


TEST(Options, AFaultBudgetParsesInAnyOrderAndPrintsCanonically) {
  FaultBudget b;
  ASSERT_TRUE(parse_faults("partition=1,drop=2", b).ok());
  EXPECT_EQ(b.drop, 2u);
  EXPECT_EQ(b.partition, 1u);
  EXPECT_EQ(b.crash, 0u);
  EXPECT_EQ(format_faults(b), "drop=2,partition=1");
  ASSERT_TRUE(parse_faults("none", b).ok());
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(format_faults(b), "none");
  RunOptions o;
  EXPECT_TRUE(o.set("faults", "crash=1,duplicate=3"));
  EXPECT_EQ(o.get("faults"), "duplicate=3,crash=1");
}

TEST(Options, ABadFaultBudgetSaysWhatIsWrong) {
  FaultBudget b;
  Status unknown = parse_faults("drop=1,explode=2", b);
  EXPECT_NE(unknown.message().find("unknown fault kind \"explode\""), std::string::npos) << unknown.message();
  EXPECT_NE(unknown.message().find("drop, duplicate, crash, partition"), std::string::npos);
  EXPECT_NE(parse_faults("drop", b).message().find("expected drop=N"), std::string::npos);
  EXPECT_NE(parse_faults("drop=-1", b).message().find("expected drop=N"), std::string::npos);
  EXPECT_NE(parse_faults("crash=1001", b).message().find("at most 1000"), std::string::npos);
  const OptionSpec* spec = nullptr;
  for (const OptionSpec& o : test_options()) {
    if (o.name == "faults") spec = &o;
  }
  ASSERT_NE(spec, nullptr);
  EXPECT_NE(check_option(*spec, "drop=x").message().find("faults: "), std::string::npos);
}

const OptionSpec& option_row(std::string_view name) {
  for (const OptionSpec& o : test_options()) {
    if (o.name == name) return o;
  }
  throw std::logic_error("no option " + std::string(name));
}

TEST(Options, EveryRunOptionRowSetsAndReadsItsOwnMember) {
  // A value other than the default for each row, through the row's member.
  const std::map<std::string_view, std::string> other = {
      {"max_steps", "77"},          {"iter_timeout", "1234"}, {"max_memory", "64"},
      {"liveness_steps", "9"},      {"fail_on_max_steps", "true"}, {"allow_crashes", "true"},
      {"timers", "any"},            {"network", "reorder"},   {"faults", "drop=1,crash=2"}};
  size_t rows = 0;
  for (const OptionSpec& spec : test_options()) {
    if (spec.target != OptionTarget::kRun) continue;
    ++rows;
    ASSERT_TRUE(other.count(spec.name)) << spec.name;
    RunOptions o;
    EXPECT_EQ(o.get(spec.name), spec.fallback) << spec.name;  // the struct's default is the row's
    EXPECT_TRUE(o.set(spec.name, other.at(spec.name)));
    EXPECT_EQ(o.get(spec.name), other.at(spec.name)) << spec.name;
    EXPECT_NE(o, RunOptions{}) << spec.name << " set no member";
  }
  EXPECT_EQ(rows, other.size());
  RunOptions o;
  o.set("timers", "any");
  o.set("network", "reorder");
  EXPECT_EQ(o.timers, TimerMode::kAny);
  EXPECT_EQ(o.network, NetworkMode::kReorder);
  EXPECT_FALSE(o.set("no_such_option", "1"));
  EXPECT_EQ(o.get("no_such_option"), "");
}

TEST(Options, AScenarioValueIsCheckedAgainstTheRowsType) {
  using Kind = OptionInput::Kind;
  OptionInput text{Kind::kString, 0, false, "many", {}, false, "string"};
  OptionInput integer{Kind::kInteger, 50, false, "", {}, false, "number"};
  OptionInput negative{Kind::kInteger, -1, false, "", {}, false, "number"};
  OptionInput yes{Kind::kBoolean, 0, true, "", {}, false, "boolean"};
  OptionInput counts{Kind::kCounts, 0, false, "", {{"crash", 1}, {"drop", 2}}, false, "table"};
  OptionInput bad_counts{Kind::kCounts, 0, false, "", {}, true, "table"};
  EXPECT_EQ(*test_option_text(option_row("max_steps"), integer), "50");
  EXPECT_EQ(test_option_text(option_row("max_steps"), text).status().message(),
            "option 'max_steps' must be an integer, not a string");
  EXPECT_EQ(test_option_text(option_row("max_steps"), negative).status().message(),
            "option 'max_steps' must be a non-negative integer");
  EXPECT_EQ(*test_option_text(option_row("allow_crashes"), yes), "true");
  EXPECT_EQ(test_option_text(option_row("allow_crashes"), integer).status().message(),
            "option 'allow_crashes' must be a boolean, not a number");
  EXPECT_EQ(test_option_text(option_row("timers"), text).status().message(),
            "option timers must be \"quiescent\" or \"any\", not \"many\"");
  EXPECT_EQ(*test_option_text(option_row("faults"), counts), "drop=2,crash=1");  // canonical order
  EXPECT_NE(test_option_text(option_row("faults"), bad_counts).status().message().find("maps fault kinds"),
            std::string::npos);
  EXPECT_EQ(test_option_text(option_row("faults"), yes).status().message(),
            "option 'faults' must be a table, not a boolean");
}

}  // namespace
}  // namespace lockstep
