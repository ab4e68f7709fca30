-- Identical clients each take a ticket from a counter server and
-- record it; the root waits for all of them. The clients are declared
-- symmetric, so with --state-cache full a state in which client 1 holds
-- ticket 1 and client 2 ticket 2 is the state in which they hold each
-- other's: the search counts it once. The root lets go of the list it
-- started them in, whose order would tell them apart.
--
-- "racy counter": each client reads the counter and writes it back plus
-- one, so two may take one ticket (found). "server": a process hands the
-- tickets out, one at a time (no bug in any schedule). The "plain"
-- variants declare nothing.
local ls = lockstep

local function clients(n, take, symmetric)
  local me = ls.self()
  local seen = ls.ets.new("seen", { type = "set", access = "public" })
  local pids = {}
  for i = 1, n do
    pids[i] = ls.spawn(function()
      local ticket = take()
      assert(ls.ets.insert_new(seen, { ticket, ls.self() }), "two clients took ticket " .. ticket)
      ls.send(me, "done")
    end)
  end
  if symmetric then ls.symmetric(pids) end
  pids = nil  -- a list's order would tell the clients apart
  for _ = 1, n do ls.receive() end
end

local function racy(n, symmetric)
  return function()
    local counter = ls.atomics.new(1)
    clients(n, function()
      local t = ls.atomics.get(counter, 1) + 1
      ls.atomics.put(counter, 1, t)
      return t
    end, symmetric)
  end
end

local function served(n, symmetric)
  return function()
    local server = ls.spawn(function()
      local next_ticket = 0
      while true do
        local from = ls.receive()
        next_ticket = next_ticket + 1
        ls.send(from, next_ticket)
      end
    end)
    clients(n, function()
      ls.send(server, ls.self())
      return ls.receive()
    end, symmetric)
  end
end

ls.test("racy counter", racy(3, true))
ls.test("racy counter, plain", racy(3, false))
ls.test("server", served(3, true))
ls.test("server, plain", served(3, false))

-- "spin lock": each client spins on a compare-and-swap lock, then adds
-- one to a shared count under it; any number of failed tries can come
-- first, so only a state cache ends the search.
local function spin(n, symmetric)
  return function()
    local lock, count = ls.atomics.new(1), ls.atomics.new(1)
    local me = ls.self()
    local pids = {}
    for i = 1, n do
      pids[i] = ls.spawn(function()
        while not ls.atomics.compare_exchange(lock, 1, 0, 1) do end
        ls.atomics.put(count, 1, ls.atomics.get(count, 1) + 1)
        ls.atomics.put(lock, 1, 0)
        ls.send(me, "done")
      end)
    end
    if symmetric then ls.symmetric(pids) end
    pids = nil
    for _ = 1, n do ls.receive() end
    assert(ls.atomics.get(count, 1) == n, "an increment was lost")
  end
end

ls.test("spin lock", spin(3, true))
ls.test("spin lock, plain", spin(3, false))
