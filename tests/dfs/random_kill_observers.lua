-- Random small programs in which a server is killed while messages come
-- in, for checking dfs against every interleaving (--dpor none) on the real
-- runtime (tests/scenarios/dfs_cli_test.cc). The kill commutes with each
-- send to the server (a message to an ended process is dropped), but it
-- disables the server's receives, which are what make two sends to one
-- mailbox race; a sleeping kill must not stand for the reversal of two
-- sends to its victim. The server receives (any message, by tag, or a
-- poll; it may wait forever, as it is always killed); a killer (a process of its own, which may send first) kills it;
-- the root and a sender send tagged messages. Every test passes in every
-- schedule, and the two searches must count the same classes.
--
-- The programs are drawn at load time from a fixed generator (not
-- ls.random: that would be a choice point), so every run of the file
-- defines the same tests.
local ls = lockstep

local state = 5
local function draw(n)
  state = (state * 1103515245 + 12345) % 2147483648
  return (state // 65536) % n
end

local TAGS = { "a", "b", "c" }

local function draw_receives()
  local rs = {}
  for i = 1, 1 + draw(2) do
    local kind = draw(3)
    rs[i] = kind == 0 and { "any" } or kind == 1 and { "tag", TAGS[draw(3) + 1] } or { "poll" }
  end
  return rs
end

local function draw_sends(least)
  local ss = {}
  for i = 1, least + draw(2) do ss[i] = TAGS[draw(3) + 1] end
  return ss
end

local function serve(receives)
  for _, r in ipairs(receives) do
    if r[1] == "any" then
      ls.receive()
    elseif r[1] == "tag" then
      local tag = r[2]
      ls.receive(function(m) return m == tag end)
    else
      ls.receive(nil, 0)
    end
  end
end

for n = 1, 21 do
  local receives, sender, root, killer_sends = draw_receives(), draw_sends(1), draw_sends(0), draw(2) == 0
  ls.test("random kill observers " .. n, function()
    local server = ls.spawn(function() serve(receives) end)
    ls.spawn(function()
      if killer_sends then ls.send(server, "c") end
      ls.exit(server, "kill")
    end)
    ls.spawn(function()
      for _, m in ipairs(sender) do ls.send(server, m) end
    end)
    for _, m in ipairs(root) do ls.send(server, m) end
  end)
end
