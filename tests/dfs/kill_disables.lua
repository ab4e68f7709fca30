-- A kill disables what its victim was about to do: the victim's next step
-- becomes its exit. Three rules follow from that, each with tests here
-- whose classes must equal --dpor none's (tests/scenarios/dfs_cli_test.cc;
-- before the rules, the search counted 13 of 19, 18 of 30, 28 of 44, 21 of
-- 28 and 2 of 5 classes on the tests named below, in the file's order):
--   - a reversed kill lets the victim run first; what else the run did
--     after the exit and does not depend on the kill (a third worker's
--     steps) comes before the victim's step in that reversal, or the
--     classes where those steps come first while the victim still runs
--     are never reached ("a read before a kill", "a monitor before a
--     kill", "two monitors of a killer", "kills both ways");
--   - an explored event whose process the race's first step kills does
--     not stand in for a reversal it is not part of: its runs ran it, and
--     the classes where it is killed before it runs are not among them ("a
--     link ended before the kill": 17 of 20 without this rule, once the
--     victim's start is judged by its own footprint, not by its exit's);
--   - a victim waiting in a receive when it was killed could have taken
--     a message sent later, had that message come before the kill: the
--     kill and that send race ("a message before the kill").
-- A receive's timeout reads its owner's control state, which a kill
-- writes (the owner's end disarms the timer): a kill left asleep where the
-- timer fired stood for runs where it never fired ("a timeout before the
-- kill", "a trapped link and a timeout": 18 of 21 and 24 of 25 before).
-- An event that kills the process of the race's first step does not stand
-- for a reversal it is not part of either: had it come first, that step
-- would not run ("a link to a process that ends first": 66 of 68 while it
-- did).
-- A reversed kill's victim step is judged by its own footprint, not by
-- the run's order of the exit it replaced ("a write after the kill": 59
-- of 63 while it was).
-- The last test: a message and the end of the process it is sent to
-- commute in sleep sets, but an end that slept through the message and
-- was then killed (a later step of the run) stood for a reversal whose
-- runs the kill follows, and a class was lost (27 of 28), until such a
-- sleeper stood for no reversal where a later stop of its process need
-- not follow its own step.
-- Each test: the root owns a table; worker 1 starts workers 2 and 3, and
-- each applies its operations to the workers it knows (2 knows 1; 3 knows
-- 1 and 2).
local ls = lockstep

local function run(ops, peers, t)
  for _, op in ipairs(ops) do
    local k, p = op[1], peers[op[2]]
    if k == "send" then ls.send(p, "a")
    elseif k == "monitor" then ls.monitor(p)
    elseif k == "kill" then ls.exit(p, "kill")
    elseif k == "receive" then ls.receive(function() return true end, 10)
    elseif k == "write" then ls.ets.insert(t, { "k", op[2] })
    elseif k == "read" then ls.ets.lookup(t, "k")
    elseif k == "trap" then ls.trap_exit(true)
    else pcall(ls.link, p) end  -- a peer already gone raises noproc
  end
end

local function program(a, b, c)
  return function()
    local t = ls.ets.new("t", { access = "public" })
    ls.spawn(function()
      local peers = { ls.self() }
      peers[2] = ls.spawn(function() run(b, peers, t) end)
      peers[3] = ls.spawn(function() run(c, peers, t) end)
      run(a, peers, t)
    end)
    ls.sleep(100)  -- time moves on once no worker can run
  end
end

ls.test("a read before a kill",
  program({ { "kill", 3 } }, { { "read", 1 } }, { { "trap", 1 }, { "monitor", 2 }, { "write", 2 } }))
ls.test("a monitor before a kill",
  program({ { "monitor", 3 }, { "kill", 3 } }, { { "trap", 1 } }, { { "send", 2 }, { "monitor", 2 } }))
ls.test("two monitors of a killer",
  program({ { "kill", 3 }, { "monitor", 3 }, { "monitor", 3 } }, { { "monitor", 1 } }, { { "kill", 2 } }))
ls.test("kills both ways",
  program({ { "kill", 3 }, { "send", 3 }, { "kill", 3 } }, { { "kill", 1 }, { "send", 1 } }, { { "read", 2 }, { "kill", 2 } }))
ls.test("a link ended before the kill",
  program({ { "kill", 2 } }, { { "read", 1 }, { "write", 1 }, { "receive", 1 } }, { { "link", 1 } }))
ls.test("a message before the kill",
  program({ { "trap", 3 }, { "receive", 2 }, { "monitor", 3 } }, { { "send", 1 } }, { { "kill", 1 }, { "receive", 2 } }))
ls.test("a timeout before the kill",
  program({ { "kill", 2 }, { "receive", 2 }, { "trap", 2 } }, { { "link", 1 }, { "trap", 1 } }, { { "receive", 2 }, { "kill", 1 } }))
ls.test("a trapped link and a timeout",
  program({ { "link", 2 }, { "receive", 3 }, { "kill", 3 } }, { { "trap", 1 }, { "monitor", 1 }, { "write", 1 } }, { { "receive", 2 }, { "trap", 1 } }))
ls.test("a link to a process that ends first",
  program({ { "kill", 2 }, { "receive", 3 }, { "receive", 2 } }, { { "read", 1 }, { "write", 1 } }, { { "link", 2 }, { "link", 1 }, { "kill", 1 } }))
ls.test("a write after the kill",
  program({ { "send", 3 }, { "trap", 3 } }, { { "write", 1 }, { "kill", 1 }, { "write", 1 } }, { { "link", 1 }, { "write", 2 } }))
ls.test("a message to a process killed as it ends",
  program({ { "write", 3 } }, { { "read", 1 }, { "send", 1 }, { "read", 1 } }, { { "monitor", 2 }, { "kill", 1 } }))
