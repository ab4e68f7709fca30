#include "engine/report/explain.h"

#include <algorithm>
#include <set>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "engine/causality.h"
#include "engine/replay.h"
#include "engine/report/report.h"
#include "engine/report/schedule.h"
#include "engine/scheduler.h"

namespace lockstep {
namespace {

// What two processes raced for, in words.
std::string object_phrase(uint64_t o, const ProcessNames& names) {
  const uint64_t id = o & object::kIdMask;
  switch (o & object::kTagMask) {
    case object::kTableKey:
      return "one key of table T" + std::to_string(object::table_of(o));
    case object::kTable:
      return "table T" + std::to_string(object::table_of(o));
    case object::kAtomic:
      return "an atomics cell";
    case object::kTerm:
      return "a persistent term";
    case object::kName:
      return "a registered name";
    case object::kProcess:
      return names.display(static_cast<int64_t>(id)) + "'s state (alive, links, monitors)";
    case object::kMailbox:
      return names.display(static_cast<int64_t>(id)) + "'s mailbox";
    case object::kNode:
      return "whether a node is up";
    case object::kReach:
      return "whether one node's messages get through to another";
    case object::kDisk:
      return "one key of a node's disk";
    case object::kLinks:
      return names.display(static_cast<int64_t>(id)) + "'s links and monitors across nodes";
    case object::kTimer:
      return "a timer";
    case object::kNumbering:
      return "which numbers new processes and references get";
    case object::kFaultGate:
      return "whether faults may be injected (ls.cluster.faults)";
    case object::kClock:
      return "the virtual time (a timer that fired early moved it on)";
    default:
      return "shared state";
  }
}

class Explainer {
 public:
  Explainer(const Trace& trace, Program* program, const ExplainOptions& options)
      : t_(trace), program_(program), options_(options), names_(trace), hb_(trace.facts) {
    for (const Event& e : t_.events) event_[e.step] = &e;
    for (const StepRecord& r : t_.facts.steps) record_[r.step] = &r;
    // Decisions per step: each step's event decision and the choices made in it.
    for (size_t i = 0; i < t_.decisions.size(); ++i) {
      if (t_.decisions[i].kind != DecisionKind::kChoice)
        groups_.push_back({i, i + 1});
      else if (!groups_.empty())
        groups_.back().second = i + 1;
    }
    can_reorder_ = !t_.decisions.empty() && t_.decisions[0].kind != DecisionKind::kChoice &&
                   groups_.size() == t_.events.size();
    const std::vector<uint32_t> slice = causal_slice(t_);
    slice_.insert(slice.begin(), slice.end());
  }

  Explanation run() {
    Explanation out;
    name_schedule();
    check_faults(out.faults);
    find_races(out.races);
    check(out.races);
    // No race decides it: perhaps a receive ran before the message it
    // should have waited for was even sent.
    if (std::none_of(out.races.begin(), out.races.end(),
                     [](const Race& r) { return r.reversed == Race::Reversed::kPasses; })) {
      check_held_back(out.races);
    }
    lead_with_timers(out.races);
    out.text = render(out.faults, out.races);
    std::ostringstream slice;
    TextStyle style;
    style.max_rows = 0;
    print_schedule(slice, t_, style);
    out.slice = slice.str();
    return out;
  }

 private:
  const Event* event(uint32_t step) const {
    auto it = event_.find(step);
    return it == event_.end() ? nullptr : it->second;
  }
  const StepRecord* record(uint32_t step) const {
    auto it = record_.find(step);
    return it == record_.end() ? nullptr : it->second;
  }
  std::span<const Access> accesses(const StepRecord& r) const {
    return {t_.facts.accesses.data() + r.first_access, r.access_count};
  }
  // The process a step belongs to: the sender for a delivery.
  int64_t owner(uint32_t step) const {
    const StepRecord* r = record(step);
    if (r && r->actor >= 0) return r->actor;
    const Event* e = event(step);
    return e ? e->pid : -1;
  }

  // Whether b could have run before a: nothing but their own conflict
  // orders them (a reaches none of b's other direct dependencies).
  bool reversible(uint32_t a, uint32_t b) const {
    for (uint32_t x : hb_.direct(b)) {
      if (x != a && hb_.happens_before(a, x)) return false;
    }
    return true;
  }

  void find_races(std::vector<Race>& races) {
    std::vector<uint32_t> slice(slice_.rbegin(), slice_.rend());  // nearest the failure first
    std::set<std::pair<uint32_t, uint32_t>> seen;
    for (uint32_t b : slice) {
      if (races.size() >= options_.max_candidates) break;
      const StepRecord* rb = record(b);
      if (!rb || rb->actor < 0) continue;
      for (uint32_t a : hb_.direct(b)) {
        const StepRecord* ra = record(a);
        if (!ra || ra->actor < 0 || ra->actor == rb->actor || a == rb->consumed || a == rb->cause)
          continue;
        uint64_t object = 0;
        for (const Access& x : accesses(*ra)) {
          for (const Access& y : accesses(*rb)) {
            const uint64_t tag = x.object & object::kTagMask;
            // (Messages are judged below; the virtual time an early timer
            // moved on is a race of the timer's, judged as one.)
            if (tag == object::kMailbox || tag == object::kHistory || tag == object::kClock || !conflicts(x, y))
              continue;
            object = x.object;
          }
        }
        if (!object || !reversible(a, b) || !seen.insert({a, b}).second) continue;
        Race race;
        race.first = a;
        race.second = b;
        race.object = object;
        races.push_back(race);
      }
    }
    // Two messages to one mailbox that could have arrived the other way
    // round: a receive of the slice took the first, while the second (from
    // another process, taken later or never) did not depend on it.
    std::unordered_map<uint64_t, std::vector<uint32_t>>
        writes;                                       // mailbox -> steps that put a message in it
    std::unordered_map<uint32_t, uint32_t> taken_by;  // message step -> the receive that took it
    for (const StepRecord& r : t_.facts.steps) {
      if (r.kind == StepKind::kReceive) {
        if (r.consumed) taken_by[r.consumed] = r.step;
        continue;
      }
      for (const Access& a : accesses(r)) {
        if (a.writes && object::is_mailbox(a.object) &&
            static_cast<int64_t>(a.object & object::kIdMask) != r.actor) {
          writes[a.object].push_back(r.step);
          break;
        }
      }
    }
    for (auto it_r = slice_.rbegin();
         it_r != slice_.rend() && races.size() < 2 * options_.max_candidates; ++it_r) {
      const uint32_t r = *it_r;
      const StepRecord* rec = record(r);
      if (!rec || rec->kind != StepKind::kReceive || !rec->consumed || rec->actor < 0) continue;
      const uint32_t w1 = rec->consumed;
      const auto& list = writes[object::mailbox(static_cast<uint32_t>(rec->actor))];
      size_t scanned = 0;
      for (auto it = std::upper_bound(list.begin(), list.end(), w1);
           it != list.end() && scanned < 64; ++it, ++scanned) {
        const uint32_t w2 = *it;
        if (owner(w2) == owner(w1) || hb_.happens_before(w1, w2) || hb_.happens_before(r, w2))
          continue;
        if (!seen.insert({w1, w2}).second) break;
        Race race;
        race.kind = Race::Kind::kMessages;
        race.first = w1;
        race.second = w2;
        race.first_taken = r;
        auto t = taken_by.find(w2);
        race.second_taken = t == taken_by.end() ? 0 : t->second;
        race.object = object::mailbox(static_cast<uint32_t>(rec->actor));
        races.push_back(race);
        break;
      }
    }
    find_timeouts(races, writes);
    std::stable_sort(races.begin(), races.end(),
                     [](const Race& x, const Race& y) { return x.second > y.second; });
  }

  // A receive of the slice that a timer ended with nothing, and a message
  // to its process from another that came after that timer and did not
  // follow from it: had the message come first, the wait would have ended
  // with it (a lease renewed, a reply taken) instead.
  void find_timeouts(std::vector<Race>& races,
                     std::unordered_map<uint64_t, std::vector<uint32_t>>& writes) const {
    for (auto it_r = slice_.rbegin(); it_r != slice_.rend() && races.size() < 2 * options_.max_candidates; ++it_r) {
      const StepRecord* rec = record(*it_r);
      if (!rec || rec->kind != StepKind::kReceive || rec->consumed || !rec->cause || rec->actor < 0) continue;
      const StepRecord* timer = record(rec->cause);
      if (!timer || timer->event.kind != EventKind::kTimer) continue;
      Race race;
      race.kind = Race::Kind::kTimeout;
      race.first = rec->cause;
      race.first_taken = rec->step;
      race.object = object::mailbox(static_cast<uint32_t>(rec->actor));
      const auto& list = writes[object::mailbox(static_cast<uint32_t>(rec->actor))];
      for (auto it = std::upper_bound(list.begin(), list.end(), rec->cause); it != list.end(); ++it) {
        const uint32_t w = *it;
        if (owner(w) == rec->actor || hb_.happens_before(rec->cause, w)) continue;
        race.second = w;
        break;
      }
      // second 0: no message came after it in this run; the check holds the
      // timer back instead, for one still to come.
      races.push_back(race);
    }
  }

  // Races whose reversal passes come first; of those, one where a timer
  // came first (a lease that expired before its renewal, a wait that timed
  // out before the reply): what a timer decides, the code did not wait
  // for, and the races after it follow from it. Otherwise nearest the
  // failure first.
  void lead_with_timers(std::vector<Race>& races) const {
    auto rank = [&](const Race& r) {
      if (r.reversed != Race::Reversed::kPasses) return 2;
      return r.kind == Race::Kind::kTimeout || (r.kind == Race::Kind::kMessages && is_timer(r.first)) ? 0 : 1;
    };
    std::stable_sort(races.begin(), races.end(), [&](const Race& a, const Race& b) { return rank(a) < rank(b); });
  }

  // The recorded schedule's steps in `order` (1-based), each with its
  // choices, and each event named as the system names it where known.
  std::unique_ptr<Strategy> schedule(const std::vector<uint32_t>& order) const {
    std::vector<Decision> out;
    std::vector<uint64_t> names;
    out.reserve(t_.decisions.size());
    for (uint32_t s : order) {
      const auto [begin, end] = groups_[s - 1];
      for (size_t i = begin; i < end; ++i) {
        out.push_back(t_.decisions[i]);
        names.push_back(i < decision_names_.size() ? decision_names_[i] : 0);
      }
    }
    return make_lenient_replay_strategy(std::move(out), {}, {std::move(names)});
  }

  // The recorded schedule with `second` (and what it needs) moved before `first`.
  std::unique_ptr<Strategy> reversed(uint32_t first, uint32_t second) const {
    const std::vector<uint32_t> needed = hb_.past({second});
    std::vector<uint32_t> order;
    for (uint32_t s = 1; s < first; ++s) order.push_back(s);
    std::unordered_set<uint32_t> placed(order.begin(), order.end());
    for (uint32_t s : needed) {
      if (s > first && s < second) order.push_back(s), placed.insert(s);
    }
    order.push_back(second), placed.insert(second);
    for (uint32_t s = first; s <= groups_.size(); ++s) {
      if (!placed.count(s)) order.push_back(s);
    }
    return schedule(order);
  }

  // The names the system gives the recorded schedule's events, found by
  // running it once (none if that run does not take every step).
  void name_schedule() {
    if (!program_ || !can_reorder_) return;
    std::vector<uint64_t> taken;
    auto strategy = make_lenient_replay_strategy(t_.decisions, {}, {{}, &taken});
    run_with(*strategy);
    if (taken.size() != groups_.size()) return;
    decision_names_.assign(t_.decisions.size(), 0);
    for (size_t s = 0; s < groups_.size(); ++s) decision_names_[groups_[s].first] = taken[s];
  }

  // Each injected fault (not a restart or heal, which only undo one), run
  // without: does the failure need it?
  void check_faults(std::vector<FaultCheck>& out) {
    const std::vector<InjectedFault> listed = injected_faults(t_);
    for (const InjectedFault& f : listed) {
      if (f.kind == "restart" || f.kind == "heal") continue;
      FaultCheck c;
      c.step = f.step;
      c.line = f.line;
      if (program_ && can_reorder_ && f.step >= 1 && f.step <= groups_.size()) {
        std::vector<uint32_t> order;
        for (uint32_t s = 1; s <= groups_.size(); ++s) {
          if (s != f.step) order.push_back(s);
        }
        Race probe;
        classify(probe, run_with(*schedule(order)));
        c.without = probe.reversed;
        c.other_failure = probe.reversed_failure;
        c.steps = probe.reversed_steps;
      }
      out.push_back(std::move(c));
    }
  }

  void check(std::vector<Race>& races) {
    if (!program_ || !can_reorder_) return;
    size_t checked = 0;
    for (Race& race : races) {
      if (checked++ >= options_.max_checks) break;
      if (race.kind == Race::Kind::kTimeout && race.second == 0) {
        std::vector<Decision> prefix(t_.decisions.begin(),
                                     t_.decisions.begin() + static_cast<ptrdiff_t>(groups_[race.first - 1].first));
        std::vector<uint64_t> names(decision_names_.begin(),
                                    decision_names_.begin() + static_cast<ptrdiff_t>(std::min(
                                                                  decision_names_.size(), prefix.size())));
        auto hold = make_lenient_replay_strategy(std::move(prefix), {ReplayTail::Kind::kHoldTimers, 0},
                                                 {std::move(names)});
        classify(race, run_with(*hold));
        continue;
      }
      classify(race, run_with(*reversed(race.first, race.second)));
    }
  }

  IterationResult run_with(Strategy& strategy) {
    strategy.begin_iteration(t_.iteration_seed, t_.hint);
    auto index = find_test(*program_, t_.test_name);
    IterationResult abandoned;
    abandoned.outcome = Outcome::kAbandoned;
    if (!index.ok()) return abandoned;
    auto system = program_->start(*index, t_.options);
    if (!system.ok()) return abandoned;
    return run_iteration(**system, strategy, iteration_limits(t_.options, t_.strategy, t_.params, t_.iteration),
                         nullptr);
  }

  void classify(Race& race, const IterationResult& r) const {
    race.reversed_steps = r.steps;
    if (r.outcome == Outcome::kAbandoned) return;
    if (r.outcome != Outcome::kFailed) {
      race.reversed = Race::Reversed::kPasses;
      return;
    }
    // The same failure: of the same kind at the same place (an assertion
    // may show other values), or with the same message where it has none.
    const bool same = r.failure.kind == t_.failure.kind && r.failure.location == t_.failure.location &&
                      (!t_.failure.location.empty() || r.failure.message == t_.failure.message);
    race.reversed = same ? Race::Reversed::kFailsTheSame : Race::Reversed::kFailsOtherwise;
    if (!same) {
      Trace other;
      other.failure = r.failure;
      other.processes = t_.processes;
      race.reversed_failure = describe_failure(other);
    }
  }

  // For the receives of the slice nearest the failure: the sender held
  // back at the send whose message was taken, then the receiver held back
  // at the receive, each until nothing else can run.
  void check_held_back(std::vector<Race>& races) {
    if (!program_ || !can_reorder_) return;
    size_t tried = 0;
    for (auto it = slice_.rbegin(); it != slice_.rend() && tried < 3; ++it) {
      const StepRecord* rec = record(*it);
      if (!rec || rec->kind != StepKind::kReceive || !rec->consumed || rec->actor < 0) continue;
      ++tried;
      for (uint32_t held : {rec->consumed, rec->step}) {
        const int64_t who = owner(held);
        const StepRecord* h = record(held);
        if (who < 0 || !h || h->event.kind != EventKind::kProcess) continue;
        std::vector<Decision> prefix(
            t_.decisions.begin(),
            t_.decisions.begin() + static_cast<ptrdiff_t>(groups_[held - 1].first));
        auto delay = make_lenient_replay_strategy(
            std::move(prefix), {ReplayTail::Kind::kDelay, static_cast<uint32_t>(who)});
        Race race;
        race.kind = Race::Kind::kHeldBack;
        race.first = rec->step;
        race.second = held;
        race.object = object::mailbox(static_cast<uint32_t>(rec->actor));
        classify(race, run_with(*delay));
        if (race.reversed == Race::Reversed::kPasses) {
          races.insert(races.begin(), race);
          return;
        }
      }
    }
  }

  // "step 6 (P1, at ets_lost_update.lua:14): ets.lookup_element T1"
  std::string step_phrase(uint32_t step) const {
    const Event* e = event(step);
    if (!e) return "step " + std::to_string(step);
    std::string who = names_.display(owner(step));
    if (auto where = t_.location_of(*e); !where.empty()) who += ", at " + printable(where);
    std::string what = std::string(step_kind_name(e->kind));
    if (e->kind == StepKind::kDeliver || e->kind == StepKind::kSend)
      what += " to " + names_.display(e->peer);
    std::string detail = printable(e->detail);
    if (detail.size() > 80) detail = detail.substr(0, 77) + "...";
    if (!detail.empty()) what += " " + detail;
    return "step " + std::to_string(step) + " (" + who + "): " + what;
  }

  bool is_timer(uint32_t step) const {
    const StepRecord* r = record(step);
    return r && r->event.kind == EventKind::kTimer;
  }

  bool writes(uint32_t step, uint64_t object) const {
    const StepRecord* r = record(step);
    if (!r) return false;
    for (const Access& a : accesses(*r)) {
      if (a.writes && object::overlap(a.object, object)) return true;
    }
    return false;
  }

  // A race in words, and what its reversal did; `lead`: the race that
  // decides this schedule's failure.
  std::string describe(const Race& race, bool lead) const {
    if (race.kind == Race::Kind::kHeldBack) return describe_held_back(race);
    if (race.kind == Race::Kind::kTimeout && race.second == 0) return describe_lone_timeout(race, lead);
    std::ostringstream out;
    out << describe_pair(race);
    const bool timer_first = is_timer(race.first);
    const std::string p1 = names_.display(owner(race.first));
    const std::string swap = "step " + std::to_string(race.second) + " moved before step " +
                             std::to_string(race.first) + ", with only what it needs";
    switch (race.reversed) {
      case Race::Reversed::kPasses:
        out << "  The order that would not fail: with " << swap
            << ", the test passes (checked: that schedule ran " << race.reversed_steps
            << " steps without a failure).\n";
        if (lead) {
          out << "  So this schedule fails because "
              << (timer_first ? p1 + "'s timer fired first" : p1 + " won this race")
              << " (another failing schedule may take the other order: this says why this one fails).\n";
        }
        break;
      case Race::Reversed::kFailsTheSame:
        out << "  Reversed (" << swap
            << "), it still fails the same way: this race alone does not decide it.\n";
        break;
      case Race::Reversed::kFailsOtherwise:
        out << "  Reversed (" << swap << "), it fails another way: " << race.reversed_failure
            << "\n";
        break;
      case Race::Reversed::kNotTried:
        out << "  Not checked by running the other order ("
            << (program_ ? "past the budget" : "no scenario") << ").\n";
        break;
    }
    return out.str();
  }

  // A process held back: a receive took a message too early, or a message
  // was taken before one still to come.
  std::string describe_held_back(const Race& race) const {
    std::ostringstream out;
    const std::string p = names_.display(owner(race.second));
    if (race.second == race.first) {
      out << "  " << p
          << " received too early: it took the message that was there, not one still to come.\n"
          << "    " << step_phrase(race.second) << "\n"
          << "      took the message of " << step_phrase(record(race.second)->consumed) << "\n";
    } else {
      out << "  " << p
          << "'s message came too early: it was taken before a message still to come.\n"
          << "    " << step_phrase(race.second) << "\n"
          << "      taken at " << step_phrase(race.first) << "\n";
    }
    out << "  The order that would not fail: with " << p << " held back at step " << race.second
        << " until every other process had gone as far as it could, the test passes (checked: "
           "that schedule ran "
        << race.reversed_steps << " steps without a failure).\n";
    return out.str();
  }

  // A wait that timed out before any message came (checked by holding the
  // timer back).
  std::string describe_lone_timeout(const Race& race, bool lead) const {
    std::ostringstream out;
    const std::string waiter = names_.display(owner(race.first_taken));
    out << "  " << waiter << "'s wait timed out before any message it waited for came:\n"
        << "    " << step_phrase(race.first) << "\n"
        << "      ended the wait at " << step_phrase(race.first_taken) << "\n";
    if (race.reversed == Race::Reversed::kPasses) {
      out << "  The order that would not fail: with the timer held back until every process had gone as far as "
             "it could, the test passes (checked: that schedule ran "
          << race.reversed_steps << " steps without a failure).\n";
      if (lead) out << "  So this schedule fails because " << waiter << "'s timer fired first.\n";
    } else if (race.reversed == Race::Reversed::kFailsTheSame) {
      out << "  With the timer held back, it still fails the same way: the timeout alone does not decide it.\n";
    } else if (race.reversed == Race::Reversed::kFailsOtherwise) {
      out << "  With the timer held back, it fails another way: " << race.reversed_failure << "\n";
    }
    return out.str();
  }

  // The two racing steps: a timeout against a message, two messages to one
  // mailbox (one may be a timer's), or two accesses to one object.
  std::string describe_pair(const Race& race) const {
    std::ostringstream out;
    const std::string p1 = names_.display(owner(race.first)), p2 = names_.display(owner(race.second));
    const std::string second_taken =
        race.second_taken ? "      taken at " + step_phrase(race.second_taken) : std::string("      never taken");
    if (race.kind == Race::Kind::kTimeout) {
      out << "  " << names_.display(owner(race.first_taken)) << "'s wait timed out before " << p2
          << "'s message to it came:\n"
          << "    " << step_phrase(race.first) << "\n"
          << "      ended the wait at " << step_phrase(race.first_taken) << "\n"
          << "    " << step_phrase(race.second) << "\n";
    } else if (race.kind == Race::Kind::kMessages && is_timer(race.first)) {
      out << "  " << p1 << "'s timer and " << p2 << "'s message both went to " << object_phrase(race.object, names_)
          << "; the timer came first:\n"
          << "    " << step_phrase(race.first) << "\n"
          << "      taken at " << step_phrase(race.first_taken) << "\n"
          << "    " << step_phrase(race.second) << "\n"
          << second_taken << "\n";
    } else if (race.kind == Race::Kind::kMessages) {
      out << "  " << p1 << " and " << p2 << " sent messages to " << object_phrase(race.object, names_) << "; it took "
          << p1 << "'s first:\n"
          << "    " << step_phrase(race.first) << "\n"
          << "      taken at " << step_phrase(race.first_taken) << "\n"
          << "    " << step_phrase(race.second) << "\n"
          << second_taken << "\n";
    } else {
      auto verb = [&](uint32_t s) { return writes(s, race.object) ? "writes" : "reads"; };
      out << "  " << p1 << " and " << p2 << " both touched " << object_phrase(race.object, names_) << ", " << p1
          << " first:\n"
          << "    " << step_phrase(race.first) << "   (" << verb(race.first) << ")\n"
          << "    " << step_phrase(race.second) << "   (" << verb(race.second) << ")\n";
    }
    return out.str();
  }

  // One fault, and what the run without it did.
  static std::string describe(const FaultCheck& c) {
    std::string out = "    " + c.line + "\n";
    switch (c.without) {
      case Race::Reversed::kPasses:
        out += "      the failure needs it: without it, the test passes (checked: that schedule ran " +
               std::to_string(c.steps) + " steps without a failure).\n";
        break;
      case Race::Reversed::kFailsTheSame:
        out += "      without it, the test still fails the same way: the failure does not need it.\n";
        break;
      case Race::Reversed::kFailsOtherwise:
        out += "      without it, the test fails another way: " + c.other_failure + "\n";
        break;
      case Race::Reversed::kNotTried:
        break;
    }
    return out;
  }

  std::string render(const std::vector<FaultCheck>& checks, const std::vector<Race>& races) const {
    std::ostringstream out;
    out << "lockstep: explain \"" << printable(t_.test_name) << "\" ("
        << printable(t_.scenario_path) << ")\n\n";
    out << "What failed\n  ";
    if (t_.failure)
      out << "step " << t_.failure.step << ": " << describe_failure(t_) << "\n";
    else
      out << "nothing: the trace records no failure\n";
    if (t_.failure.kind == FailureKind::kDeadlock && !t_.failure.details.empty()) {
      std::istringstream details(printable(t_.failure.details));
      for (std::string line; std::getline(details, line);) out << "  " << line << "\n";
    }
    out << "\nWhat led to it\n  " << slice_.size() << " of " << t_.events.size()
        << " steps happen before the failure (the causal slice; `lockstep replay --trace F` prints "
           "it).\n";
    if (const auto faults = injected_faults(t_); !faults.empty()) {
      out << "  The strategy injected " << faults.size() << " fault" << (faults.size() == 1 ? "" : "s") << ":\n";
      for (const InjectedFault& f : faults) {
        auto c = std::find_if(checks.begin(), checks.end(), [&](const FaultCheck& x) { return x.step == f.step; });
        out << (c == checks.end() ? "    " + f.line + "\n" : describe(*c));
      }
    }
    if (t_.facts.empty()) {
      out << "  This trace records no step facts (an old format), so races cannot be found.\n";
      return out.str();
    }
    const size_t passing =
        static_cast<size_t>(std::count_if(races.begin(), races.end(), [](const Race& r) {
          return r.reversed == Race::Reversed::kPasses;
        }));
    if (races.empty()) {
      out << "\nNo race in the slice: every step of it was ordered by program order, messages, "
             "spawns or\n"
             "signals. The failure follows from the test's own logic in every schedule that runs "
             "these steps\n"
             "(a scenario that fails the same way whatever the order).\n";
      return out.str();
    }
    if (passing > 0) {
      out << "\nThe race that decides it\n" << describe(races[0], true);
      if (passing > 1) {
        out << "\nOther races whose reversal also avoids the failure\n";
        for (size_t i = 1; i < passing && i < 4; ++i) out << describe(races[i], false);
      }
    } else {
      out << "\nRaces in the slice (none of those checked avoids the failure when reversed "
             "alone)\n";
      for (size_t i = 0; i < races.size() && i < 3; ++i) out << describe(races[i], false);
    }
    const size_t rest =
        races.size() - std::min(races.size(), passing > 0 ? std::min<size_t>(passing, 4) : 3);
    if (rest > 0)
      out << "\n" << rest << " more race" << (rest == 1 ? "" : "s") << " in the slice not shown.\n";
    return out.str();
  }

  const Trace& t_;
  Program* program_;
  ExplainOptions options_;
  ProcessNames names_;
  HappensBefore hb_;
  std::unordered_map<uint32_t, const Event*> event_;
  std::unordered_map<uint32_t, const StepRecord*> record_;
  std::vector<std::pair<size_t, size_t>>
      groups_;  // per step (1-based step s at s-1): its decisions
  bool can_reorder_ = false;
  std::set<uint32_t> slice_;
  std::vector<uint64_t> decision_names_;  // per decision: its event's name (0: a choice, or unknown)
};

}  // namespace

Explanation explain_failure(const Trace& trace, Program* program, const ExplainOptions& options) {
  return Explainer(trace, program, options).run();
}

std::string explain_prompt(const Trace& trace, const Explanation& e,
                           const std::string& scenario_source) {
  std::ostringstream out;
  out << "A concurrency test written as a lockstep scenario (Lua processes that communicate by "
         "messages and\n"
         "shared tables; lockstep controls the schedule) failed. Explain the bug to its author in "
         "plain\n"
         "English: which processes race for what, the order that fails and the order that would "
         "not, with\n"
         "the source lines; then suggest a fix. The analysis below was checked by running the "
         "schedules.\n\n"
      << "=== lockstep's analysis ===\n"
      << e.text << "\n=== the causal slice of the failing schedule ===\n"
      << e.slice << "\n=== the scenario: " << trace.scenario_path << " ===\n"
      << scenario_source << "\n";
  return out.str();
}

}  // namespace lockstep
