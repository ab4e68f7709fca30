---@meta lockstep
-- LuaLS annotations for the lockstep scenario API (docs/scenario-api.md).
-- Point your editor's Lua language server at this directory (README,
-- "Editors"); the file is never run. tests/scenarios/annotations_test.cc
-- checks that it names every function the binary exposes.

---@class lockstep.Pid
---@class lockstep.Ref
---@class lockstep.Timer
---@class lockstep.Table
---@class lockstep.Atomics
---@class lockstep.History

---@alias lockstep.Dest lockstep.Pid|string|{[1]: string, [2]: string}
---@alias lockstep.Reason string|any
---@alias lockstep.Match fun(msg: any): boolean?

---@class lockstep.TestOptions
---@field strategy? "random"|"pct"|"pos"|"fair_pct"|"idpct"|"surw"|"rff"|"portfolio"|"dfs"
---@field iterations? integer
---@field seed? integer
---@field max_steps? integer
---@field pct_depth? integer
---@field iter_timeout? integer milliseconds
---@field max_memory? integer megabytes of guest memory one iteration may use
---@field fail_on_max_steps? boolean
---@field liveness_steps? integer a monitor hot this many consecutive steps under a fair strategy is a bug (default 5000)
---@field allow_crashes? boolean
---@field timers? "quiescent"|"any"
---@field network? "fifo"|"reorder"
---@field faults? table<string, integer> budget per kind: drop, duplicate, crash, partition

---@class lockstep
---@field version string
lockstep = {}

--- Declares a test: `fn` runs as the root process P0 of every iteration.
---@param name string
---@param options_or_fn lockstep.TestOptions|fun()
---@param fn_or_options? fun()|lockstep.TestOptions
function lockstep.test(name, options_or_fn, fn_or_options) end

--- An invariant checked after every step; false or an error is a bug.
---@param name string
---@param fn fun(): boolean
function lockstep.invariant(name, fn) end

--- A liveness monitor checked after every step: `fn` returns true while the
--- property it watches is pending ("hot"). Hot for more than
--- `liveness_steps` consecutive steps under a fair strategy, or hot when the
--- root ends with nothing else able to run, is a `liveness` bug.
---@param name string
---@param fn fun(): boolean
function lockstep.liveness(name, fn) end

--- A goal: in at least one iteration of the test, this call runs with
--- `cond` true. A test that ends with a goal never met is `unmet` (exit 1);
--- under a complete dfs search, no schedule meets it. Not a sync point;
--- works in a process, an invariant, a monitor or a match function.
---@param name string
---@param cond any
function lockstep.sometimes(name, cond) end

--- A goal: this line runs in at least one iteration (`sometimes(name, true)`).
---@param name string
function lockstep.reachable(name) end

--- Reaching this line is a bug (kind `unreachable`), with a trace.
---@param name string
function lockstep.unreachable(name) end

---@param fn fun(...)|{register: string} the function, or options ({register = name}: registered in the spawn's own step) with the function next
---@return lockstep.Pid
function lockstep.spawn(fn, ...) end
---@param fn fun(...)
---@return lockstep.Pid
function lockstep.spawn_link(fn, ...) end
---@param fn fun(...)
---@return lockstep.Pid pid
---@return lockstep.Ref ref
function lockstep.spawn_monitor(fn, ...) end
---@param node string|{node: string, register?: string} a node, or a node and a name to register the process under there in the spawn's own step
---@param fn fun(...)
---@return lockstep.Pid
function lockstep.spawn_on(node, fn, ...) end
---@param node string
---@param fn fun(...)
---@return lockstep.Pid
function lockstep.spawn_link_on(node, fn, ...) end
---@param node string
---@param fn fun(...)
---@return lockstep.Pid pid
---@return lockstep.Ref ref
function lockstep.spawn_monitor_on(node, fn, ...) end

---@return lockstep.Pid
function lockstep.self() end
---@param dest lockstep.Dest
---@param msg any
function lockstep.send(dest, msg) end
--- Takes the first message `match` accepts (any message without one);
--- with `timeout_ms`, returns nil when none comes in time.
---@param match? lockstep.Match|integer
---@param timeout_ms? integer
---@return any
function lockstep.receive(match, timeout_ms) end
--- Returns the first queued message `match` accepts, or nil, without waiting.
---@param match lockstep.Match
---@return any
function lockstep.recv_first(match) end

---@param pid lockstep.Pid
function lockstep.link(pid) end
--- Declares the processes interchangeable: with dfs's state cache, states
--- that differ only by a permutation of them count once (docs/strategies.md,
--- "Symmetry"). Not a sync point. Keep them in a set (`t[pid] = true`), not
--- a list, whose order would tell them apart.
---@param pids lockstep.Pid[]
function lockstep.symmetric(pids) end
---@param pid lockstep.Pid
function lockstep.unlink(pid) end
---@param pid lockstep.Pid
---@return lockstep.Ref
function lockstep.monitor(pid) end
---@param ref lockstep.Ref
---@param opts? {flush: boolean}
function lockstep.demonitor(ref, opts) end
---@param on boolean
---@return boolean previous
function lockstep.trap_exit(on) end
--- `exit(reason)` ends the caller; `exit(pid, reason)` signals another process.
---@param pid_or_reason? lockstep.Pid|lockstep.Reason
---@param reason? lockstep.Reason
function lockstep.exit(pid_or_reason, reason) end
---@param pid lockstep.Pid
---@return boolean
function lockstep.is_alive(pid) end

---@param name string
---@param pid lockstep.Pid
function lockstep.register(name, pid) end
---@param name string
function lockstep.unregister(name) end
---@param name string
---@return lockstep.Pid?
function lockstep.whereis(name) end
---@return string[]
function lockstep.registered() end
--- Names the calling process in reports (P3(name)).
---@param name string
function lockstep.label(name) end
--- The calling process's own timers from now on (its receive timeouts,
--- sleeps and send_afters): "quiescent" (fire only once nothing else can
--- run) or "any" (at any step), whatever the test's `timers` option.
---@param mode "quiescent"|"any"
function lockstep.timers(mode) end

---@param ms integer
function lockstep.sleep(ms) end
---@param dest lockstep.Dest
---@param msg any
---@param ms integer
---@return lockstep.Timer
function lockstep.send_after(dest, msg, ms) end
---@param timer lockstep.Timer
---@return integer|false remaining milliseconds, or false
function lockstep.cancel_timer(timer) end
--- Virtual time in milliseconds.
---@return integer
function lockstep.now() end

---@return lockstep.Ref
function lockstep.make_ref() end
---@param ref lockstep.Ref
function lockstep.abandon_ref(ref) end
--- A controlled choice in [lo, hi], recorded in the trace.
---@param lo integer
---@param hi integer
---@return integer
function lockstep.random_int(lo, hi) end
---@return boolean
function lockstep.random_bool() end
---@generic T
---@param list T[]
---@return T
function lockstep.choose(list) end
---@param ... any
function lockstep.log(...) end
--- The node of the caller, or of `pid`.
---@param pid? lockstep.Pid
---@return string
function lockstep.node(pid) end

-- Shared state (docs/shared-state.md) -------------------------------------

lockstep.ets = {}
---@param name string
---@param opts? {type?: "set"|"ordered_set"|"bag"|"duplicate_bag", access?: "public"|"protected"|"private", named?: boolean, keypos?: integer}
---@return lockstep.Table
function lockstep.ets.new(name, opts) end
---@param t lockstep.Table|string
---@param rows table
---@return true
function lockstep.ets.insert(t, rows) end
---@param t lockstep.Table|string
---@param rows table
---@return boolean
function lockstep.ets.insert_new(t, rows) end
---@param t lockstep.Table|string
---@return table[]
function lockstep.ets.lookup(t, key) end
---@param t lockstep.Table|string
---@param pos integer
function lockstep.ets.lookup_element(t, key, pos) end
---@param t lockstep.Table|string
---@return boolean
function lockstep.ets.member(t, key) end
---@param t lockstep.Table|string
function lockstep.ets.delete(t, key) end
---@param t lockstep.Table|string
function lockstep.ets.delete_table(t) end
---@param t lockstep.Table|string
---@return table[]
function lockstep.ets.take(t, key) end
---@param t lockstep.Table|string
---@param incr integer|{[1]: integer, [2]: integer}
---@param default? table
---@return integer
function lockstep.ets.update_counter(t, key, incr, default) end
---Sets elements of the row under `key` in place: one {pos, value} pair or a
---list of them. False when no row has the key.
---@param t lockstep.Table|string
---@param updates {[1]: integer, [2]: any}|{[1]: integer, [2]: any}[]
---@return boolean
function lockstep.ets.update_element(t, key, updates) end
---The smallest key (key order), or nil for an empty table.
---@param t lockstep.Table|string
---@return any
function lockstep.ets.first(t) end
---The key after `key` (key order), or nil after the last.
---@param t lockstep.Table|string
---@return any
function lockstep.ets.next(t, key) end
---@param t lockstep.Table|string
---@return table[]
function lockstep.ets.tab2list(t) end
---@param t lockstep.Table|string
---@param item? string
function lockstep.ets.info(t, item) end

lockstep.atomics = {}
---@param n integer
---@param opts? {signed: boolean}
---@return lockstep.Atomics
function lockstep.atomics.new(n, opts) end
---@param a lockstep.Atomics
---@param i integer
---@return integer
function lockstep.atomics.get(a, i) end
---@param a lockstep.Atomics
---@param i integer
---@param v integer
function lockstep.atomics.put(a, i, v) end
---@param a lockstep.Atomics
---@param i integer
---@param v integer
function lockstep.atomics.add(a, i, v) end
---@param a lockstep.Atomics
---@param i integer
---@param v integer
---@return integer
function lockstep.atomics.add_get(a, i, v) end
---@param a lockstep.Atomics
---@param i integer
---@param v integer
function lockstep.atomics.sub(a, i, v) end
---@param a lockstep.Atomics
---@param i integer
---@param v integer
---@return integer
function lockstep.atomics.sub_get(a, i, v) end
---@param a lockstep.Atomics
---@param i integer
---@param v integer
---@return integer old
function lockstep.atomics.exchange(a, i, v) end
---@param a lockstep.Atomics
---@param i integer
---@param expected integer
---@param desired integer
---@return boolean swapped
---@return integer? current
function lockstep.atomics.compare_exchange(a, i, expected, desired) end

lockstep.persistent_term = {}
function lockstep.persistent_term.put(key, value) end
---@return any
function lockstep.persistent_term.get(key, default) end
---@return boolean
function lockstep.persistent_term.erase(key) end

-- Nodes and the network (docs/cluster.md) ----------------------------------

lockstep.cluster = {}
---Starts nodes; with `opts.boot`, each node runs `boot(node)` in a process
---of its own whenever it starts (now, and after every restart).
---@param names string[]
---@param opts? {boot: fun(node: string)}
---@return string[]
function lockstep.cluster.start_nodes(names, opts) end
---@param node string
function lockstep.cluster.stop_node(node) end
---@param node string
function lockstep.cluster.start_node(node) end
---@param a string|string[]
---@param b string|string[]
---@param opts? table
function lockstep.cluster.partition(a, b, opts) end
---@param node string
---@param opts? table
function lockstep.cluster.isolate(node, opts) end
---@param a? string|string[]
---@param b? string|string[]
function lockstep.cluster.heal(a, b) end
--- Whether the strategy may inject the test's fault budget from now on.
---@param on boolean
function lockstep.cluster.faults(on) end
---@param node string
---@param fn fun(...)
function lockstep.cluster.run(node, fn, ...) end

lockstep.global = {}
---@param name string
---@param pid lockstep.Pid
---@return "yes"|"no"
function lockstep.global.register_name(name, pid) end
---@param name string
function lockstep.global.unregister_name(name) end
---@param name string
---@return lockstep.Pid?
function lockstep.global.whereis_name(name) end
---@param name string
---@param msg any
---@return lockstep.Pid
function lockstep.global.send(name, msg) end

lockstep.disk = {}
function lockstep.disk.put(key, value) end
---@return any
function lockstep.disk.get(key, default) end
function lockstep.disk.delete(key) end
--- Makes the node's writes so far survive a crash.
function lockstep.disk.sync() end

lockstep.rpc = {}
---@param node string
---@param fn fun(...): ...
---@return ...
function lockstep.rpc.call(node, fn, ...) end
---@param node string
---@param ms integer
---@param fn fun(...): ...
---@return ...
function lockstep.rpc.call_timeout(node, ms, fn, ...) end
---@param node string
---@param fn fun(...)
function lockstep.rpc.cast(node, fn, ...) end

-- The OTP-style library (docs/otp.md) ---------------------------------------

---@class lockstep.GenServerModule
---@field init fun(arg: any): string, any
---@field handle_call? fun(request: any, from: any, state: any): string, any, any?
---@field handle_cast? fun(msg: any, state: any): string, any
---@field handle_info? fun(msg: any, state: any): string, any
---@field terminate? fun(reason: any, state: any)

lockstep.genserver = {}
---@param mod lockstep.GenServerModule
---@param arg? any
---@param opts? {name?: string, timeout?: integer}
---@return lockstep.Pid
function lockstep.genserver.start(mod, arg, opts) end
---@param mod lockstep.GenServerModule
---@param arg? any
---@param opts? {name?: string, timeout?: integer}
---@return lockstep.Pid
function lockstep.genserver.start_link(mod, arg, opts) end
---@param server lockstep.Dest
---@param request any
---@param timeout? integer default 5000
---@return any
function lockstep.genserver.call(server, request, timeout) end
---@param server lockstep.Dest
---@param msg any
function lockstep.genserver.cast(server, msg) end
function lockstep.genserver.reply(from, value) end
---@param server lockstep.Dest
---@param reason? any
function lockstep.genserver.stop(server, reason) end

lockstep.gen_statem = {}
---@return lockstep.Pid
function lockstep.gen_statem.start(mod, arg, opts) end
---@return lockstep.Pid
function lockstep.gen_statem.start_link(mod, arg, opts) end
---@return any
function lockstep.gen_statem.call(server, request, timeout) end
function lockstep.gen_statem.cast(server, msg) end
function lockstep.gen_statem.stop(server, reason) end

lockstep.agent = {}
---@param init fun(): any
---@return lockstep.Pid
function lockstep.agent.start(init, opts) end
---@param init fun(): any
---@return lockstep.Pid
function lockstep.agent.start_link(init, opts) end
---@param fn fun(state: any): any
---@return any
function lockstep.agent.get(agent, fn, timeout) end
---@param fn fun(state: any): any
function lockstep.agent.update(agent, fn, timeout) end
---@param fn fun(state: any): any, any
---@return any
function lockstep.agent.get_and_update(agent, fn, timeout) end
---@param fn fun(state: any): any
function lockstep.agent.cast(agent, fn) end
function lockstep.agent.stop(agent, reason) end

---@class lockstep.Task

lockstep.task = {}
---@param fn fun(): any
---@return lockstep.Task
function lockstep.task.async(fn) end
---@param task lockstep.Task
---@param timeout? integer
---@return any
function lockstep.task.await(task, timeout) end
---@param items any[]
---@param fn fun(item: any): any
---@param opts? {max_concurrency?: integer, timeout?: integer, ordered?: boolean}
---@return any[]
function lockstep.task.async_stream(items, fn, opts) end

lockstep.task_supervisor = {}
---@return lockstep.Pid
function lockstep.task_supervisor.start(opts) end
---@param fn fun(): any
---@return lockstep.Task
function lockstep.task_supervisor.async(sup, fn) end
---@param fn fun()
---@return lockstep.Pid
function lockstep.task_supervisor.start_child(sup, fn) end

lockstep.supervisor = {}
---@param children {id: string, start: fun(...), restart?: "permanent"|"transient"|"temporary", shutdown?: integer}[]
---@param opts? {strategy?: "one_for_one"|"one_for_all"|"rest_for_one", max_restarts?: integer, max_seconds?: integer, name?: string}
---@return lockstep.Pid
function lockstep.supervisor.start(children, opts) end
---@return lockstep.Pid
function lockstep.supervisor.start_link(children, opts) end
---@return table[]
function lockstep.supervisor.which_children(sup) end

lockstep.registry = {}
---@param opts {keys: "unique"|"duplicate", name?: string}
---@return lockstep.Pid
function lockstep.registry.start(opts, start_opts) end
---@param opts {keys: "unique"|"duplicate", name?: string}
---@return lockstep.Pid
function lockstep.registry.start_link(opts, start_opts) end
function lockstep.registry.register(registry, key, value) end
function lockstep.registry.unregister(registry, key) end
---@return {[1]: lockstep.Pid, [2]: any}[]
function lockstep.registry.lookup(registry, key) end
---@param fn fun(entries: {[1]: lockstep.Pid, [2]: any}[])
function lockstep.registry.dispatch(registry, key, fn) end

-- Histories, generators, models and checkers (docs/checkers.md) ------------

lockstep.history = {}
---Two invocations (or two completions) with nothing of the other kind
---between them commute for the scheduler; total_order makes every two
---events race.
---@param options? {total_order?: boolean}
---@return lockstep.History
function lockstep.history.new(options) end
---@param h lockstep.History
---@param f string
---@param value? any
function lockstep.history.invoke(h, f, value) end
function lockstep.history.ok(h, f, value) end
function lockstep.history.fail(h, f, value) end
function lockstep.history.info(h, f, value) end
--- invoke, run `fn`, then ok (or info when it raises).
---@param fn fun(): any
---@return any
function lockstep.history.op(h, f, value, fn) end
---@return table[]
function lockstep.history.events(h) end
---@return string
function lockstep.history.to_json_lines(h) end

lockstep.generator = {}
function lockstep.generator.cycle(items) end
function lockstep.generator.random(items, opts) end
function lockstep.generator.weighted(pairs, opts) end
function lockstep.generator.mix(generators, opts) end
---@return any
function lockstep.generator.next(g) end
---@return any[]
function lockstep.generator.take(g, n) end
function lockstep.generator.each(g, fn) end
function lockstep.generator.reduce(g, init, fn) end

lockstep.model = {}
---@param spec {init: any, step: fun(state: any, f: string, input: any, output: any): boolean, any, reads?: string[]}
function lockstep.model.new(spec) end
function lockstep.model.register(init) end
function lockstep.model.cas_register(init) end
function lockstep.model.kv() end
function lockstep.model.counter(init) end
function lockstep.model.queue() end
function lockstep.model.set() end

lockstep.checker = {}
---@return boolean ok
---@return table info
function lockstep.checker.linearizable(history, model) end
---@return boolean ok
---@return table info
function lockstep.checker.sequential(history, model) end
---@return boolean ok
---@return table info
function lockstep.checker.causal(history, model) end
---Checks a history of transactions (ls.history events with f = "txn" and
---a list of {f, key, value} micro-operations) for an isolation level, as
---`lockstep check --model list-append|rw-register` does (docs/checkers.md).
---@param history table[]
---@param opts? {model?: "list-append"|"rw-register", consistency?: "read-committed"|"snapshot-isolation"|"serializable"|"strict-serializable"}
---@return boolean ok
---@return {valid: boolean, consistency: string, transactions: integer, anomalies: {type: string, explanation: string, forbidden: boolean, transactions: integer[]}[], ruled_out: string[], text: string}
function lockstep.checker.txn(history, opts) end

return lockstep
