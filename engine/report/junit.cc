#include "engine/report/junit.h"

#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>
#include <vector>

#include "engine/base/files.h"

namespace lockstep {
namespace {

// XML 1.0 text: the five entities, and control characters (not allowed in
// XML 1.0 except tab, newline, carriage return) as "?".
std::string xml(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') out += '?';
        else out += c;
    }
  }
  return out;
}

std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s);
  return buf;
}

std::string stem(const std::string& path) {
  std::string name = path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
  if (name.size() > 4 && name.compare(name.size() - 4, 4, ".lua") == 0) name.resize(name.size() - 4);
  return name;
}

}  // namespace

std::string junit_xml(const RunSummary& summary,
                      const std::map<std::pair<std::string, std::string>, std::string>& reports) {
  // Suites in the order their files ran.
  std::vector<std::string> files;
  std::map<std::string, std::vector<const TestReport*>> by_file;
  for (const TestReport& t : summary.tests) {
    if (!by_file.count(t.file)) files.push_back(t.file);
    by_file[t.file].push_back(&t);
  }
  // With --strict a passing test with warnings is a failure too.
  auto failed = [&](const TestReport& t) {
    return t.status == TestReport::Status::kBug || t.status == TestReport::Status::kUnmet ||
           (summary.strict && t.status == TestReport::Status::kPassed && !t.warnings.empty());
  };
  size_t all_failures = 0;
  for (const TestReport& t : summary.tests) all_failures += failed(t);
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<testsuites name=\"lockstep\" tests=\"" << summary.tests.size() + summary.load_failures.size()
      << "\" failures=\"" << all_failures << "\" errors=\"" << summary.errors + summary.load_errors << "\" time=\""
      << seconds(summary.wall_seconds) << "\">\n";
  for (const std::string& file : files) {
    const auto& tests = by_file[file];
    size_t failures = 0, errors = 0;
    double time = 0;
    for (const TestReport* t : tests) {
      failures += failed(*t);
      errors += t->status == TestReport::Status::kError;
      time += t->wall_seconds;
    }
    out << "  <testsuite name=\"" << xml(file) << "\" tests=\"" << tests.size() << "\" failures=\"" << failures
        << "\" errors=\"" << errors << "\" time=\"" << seconds(time) << "\">\n";
    for (const TestReport* t : tests) {
      out << "    <testcase classname=\"" << xml(stem(file)) << "\" name=\"" << xml(t->name) << "\" time=\""
          << seconds(t->wall_seconds) << "\">\n";
      if (t->status == TestReport::Status::kBug && t->bug) {
        auto it = reports.find({t->file, t->name});
        out << "      <failure type=\"" << failure_kind_name(t->bug->failure.kind) << "\" message=\""
            << xml(t->bug->failure.message) << "\">" << xml(it == reports.end() ? t->bug->failure.message : it->second)
            << "</failure>\n";
      } else if (t->status == TestReport::Status::kError) {
        out << "      <error message=\"" << xml(t->error) << "\"/>\n";
      } else if (t->status == TestReport::Status::kUnmet) {
        std::string unmet;
        for (const TestReport::Goal& g : t->goals) {
          if (!g.count.unreachable && g.count.met == 0) unmet += "goal \"" + g.count.name + "\" (" + g.count.location + ") never met\n";
        }
        out << "      <failure type=\"unmet_goal\" message=\"" << xml(unmet.substr(0, unmet.find('\n')))
            << "\">" << xml(unmet) << "</failure>\n";
      } else if (failed(*t)) {
        std::string all;
        for (const TestReport::Warning& w : t->warnings) all += "warning: " + w.message + "\n";
        out << "      <failure type=\"" << xml(t->warnings.front().kind) << "\" message=\""
            << xml("warning: " + t->warnings.front().message) << "\">" << xml(all) << "</failure>\n";
      }
      out << "      <system-out>" << xml(t->strategy + ", " + std::to_string(t->iterations_run) + " iterations, " +
                                         std::to_string(t->steps) + " steps, seed " + std::to_string(t->seed))
          << "</system-out>\n";
      out << "    </testcase>\n";
    }
    out << "  </testsuite>\n";
  }
  for (const auto& [file, message] : summary.load_failures) {
    out << "  <testsuite name=\"" << xml(file) << "\" tests=\"1\" failures=\"0\" errors=\"1\" time=\"0.000\">\n"
        << "    <testcase classname=\"" << xml(stem(file)) << "\" name=\"(load)\" time=\"0.000\">\n"
        << "      <error message=\"" << xml(message) << "\"/>\n"
        << "    </testcase>\n"
        << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
  return out.str();
}

void JUnitReporter::bug_found(const TestReport& test, const Trace& trace) {
  std::ostringstream text, ignored;
  TextStyle style;  // no colour
  style.max_rows = 200;
  TextReporter(text, ignored, style).bug_found(test, trace);
  reports_[{test.file, test.name}] = text.str();
}

void JUnitReporter::run_finished(const RunSummary& summary) {
  written_ = write_file_atomically(path_, junit_xml(summary, reports_));
}

}  // namespace lockstep
