// Helpers for tests that run the real lockstep binary.
#pragma once

#include <gtest/gtest.h>

#include <unistd.h>

#include <array>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace lockstep::testing {

struct CliResult {
  int code = -1;
  std::string out, err;
};

inline std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Every temporary file of a test process lies in one directory named by
// its pid, so tests run in parallel (ctest -j) never share files; the
// directory is removed when the process ends (cli_cleanup.cc), unless
// LOCKSTEP_KEEP_TEST_FILES is set.
inline std::string temp_root() {
  return ::testing::TempDir() + "lockstep_cli_" + std::to_string(getpid());
}

inline std::string temp_path(const std::string& name) {
  std::filesystem::create_directories(temp_root());
  return temp_root() + "/" + name;
}

// Runs lockstep with `args` (stdin closed), capturing stdout, stderr and the exit code.

inline CliResult run_lockstep(const std::vector<std::string>& args) {
  const std::string err_file = temp_path("stderr.txt");
  std::string cmd = shell_quote(LOCKSTEP_BIN);
  for (const auto& a : args) cmd += " " + shell_quote(a);
  cmd += " 2>" + shell_quote(err_file) + " </dev/null";
  CliResult r;
  FILE* p = popen(cmd.c_str(), "r");
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream e(err_file);
  std::stringstream ss;
  ss << e.rdbuf();
  r.err = ss.str();
  return r;
}

inline std::string scenario(const std::string& name) {
  return std::string(LOCKSTEP_SOURCE_DIR) + "/scenarios/" + name;
}

// An empty temporary directory.
inline std::string fresh_dir(const std::string& name) {
  const std::string d = temp_path(name);
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

// Writes `text` to <fresh dir>/<name>.lua and returns its path.
inline std::string write_file(const std::string& name, const std::string& text) {
  const std::string path = fresh_dir(name) + "/" + name + ".lua";
  std::ofstream(path) << text;
  return path;
}

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline size_t lines(const std::string& s) { return static_cast<size_t>(std::count(s.begin(), s.end(), '\n')); }

// The trace file (.lockstep) in `dir`, or "" (the last, if several).
inline std::string only_trace_in(const std::string& dir) {
  std::string found;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".lockstep") found = e.path().string();
  }
  return found;
}

// A bug's trace replays (reproduced, exit 1), shrinks (into `dir`), and the
// shrunk trace fails the same way.
inline void expect_replays_and_shrinks(const std::string& trace, const std::string& dir) {
  auto replayed = run_lockstep({"replay", "--trace", trace, "--run"});
  EXPECT_EQ(replayed.code, 1) << replayed.out << replayed.err;
  EXPECT_NE(replayed.out.find("reproduced: "), std::string::npos) << replayed.out;
  const std::string min = dir + "/min.lockstep";
  auto shrunk = run_lockstep({"shrink", "--trace", trace, "-o", min, "-q"});
  ASSERT_EQ(shrunk.code, 0) << shrunk.out << shrunk.err;
  auto again = run_lockstep({"replay", "--trace", min, "--run"});
  EXPECT_EQ(again.code, 1) << again.out << again.err;
}

// A headless browser (LOCKSTEP_CHROMIUM, or chromium on the PATH), or "".
inline std::string chromium() {
  if (const char* c = std::getenv("LOCKSTEP_CHROMIUM"); c && *c) return c;
  for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
    if (std::system(("command -v " + std::string(name) + " >/dev/null 2>&1").c_str()) == 0)
      return name;
  }
  return "";
}

// Runs it with `args`; what it printed (--dump-dom: the rendered page).
inline std::string run_browser(const std::string& args) {
  const std::string out = temp_path("dom.html");
  const std::string cmd = "timeout 120 " + chromium() +
                          " --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run"
                          " --user-data-dir=" +
                          shell_quote(temp_path("chromium-profile")) + " " + args + " >" +
                          shell_quote(out) + " 2>/dev/null";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  return slurp(out);
}

}  // namespace lockstep::testing
