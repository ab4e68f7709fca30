%% Times Concuerror warm, for bench/dfs.sh: a running Erlang VM runs the
%% tests through concuerror:run/1 after a warm-up run, so neither the VM's
%% start nor the loading of Concuerror's own modules is counted, and with
%% its error reports off (every error kind ignored), so writing each
%% erroneous interleaving is not counted either. dfs.sh starts one VM per
%% test, so that no test runs in what an earlier one left behind. Only for
%% comparison; lockstep does not use Erlang.
%%
%% Usage (dfs.sh does this):
%%   erl -noshell -pa CONCUERROR_EBIN -pa DIR_OF_THIS_BEAM \
%%       -run concuerror_warm main TESTS_DIR WORK_DIR REPEATS NAME:MODULE:FUNCTION ...
%% Prints one line per test: NAME INTERLEAVINGS SECONDS, the least time of
%% REPEATS runs.
%%
%% Concuerror instruments a module once per VM: a test whose module was
%% run before gets a renamed copy (receive_order's three tests).
-module(concuerror_warm).
-export([main/1]).

main([TestsDir, WorkDir, Repeats | Tests]) ->
  %% Warm-up: Concuerror's modules loaded and the first run's costs paid
  %% on a module none of the tests use.
  Warm = filename:join(WorkDir, "concuerror_warm_up.erl"),
  ok = file:write_file(Warm, <<"-module(concuerror_warm_up).\n-export([test/0]).\n"
                               "test() -> P = self(), spawn(fun() -> P ! a end), receive a -> ok end.\n">>),
  _ = run(Warm, concuerror_warm_up, test, WorkDir),
  R = list_to_integer(Repeats),
  lists:foldl(fun(Spec, Used) -> one(Spec, TestsDir, WorkDir, R, Used) end, #{}, Tests),
  halt(0).

one(Spec, TestsDir, WorkDir, Repeats, Used) ->
  [Name, Module, Function] = string:split(Spec, ":", all),
  Source = filename:join(TestsDir, Module ++ ".erl"),
  {Runs, Used1} = lists:mapfoldl(
                    fun(_, U) ->
                        N = maps:get(Module, U, 0),
                        {Path, Mod} = copy(Source, Module, N, WorkDir),
                        {run(Path, Mod, list_to_atom(Function), WorkDir), U#{Module => N + 1}}
                    end, Used, lists:seq(1, Repeats)),
  %% The first run's count; the least time of the runs that agree with it.
  [{_, Count} | _] = Runs,
  Micros = lists:min([M || {M, C} <- Runs, C =:= Count]),
  io:format("~s ~s ~.4f~n", [Name, Count, Micros / 1.0e6]),
  Used1.

%% The test's source, its module renamed for every use after the first
%% (its -module attribute and calls qualified with it; a function of the
%% same name keeps its name).
copy(Source, Module, 0, WorkDir) ->
  Path = filename:join(WorkDir, Module ++ ".erl"),
  {ok, _} = file:copy(Source, Path),
  {Path, list_to_atom(Module)};
copy(Source, Module, N, WorkDir) ->
  New = Module ++ "_warm" ++ integer_to_list(N),
  {ok, Text} = file:read_file(Source),
  Attribute = re:replace(Text, "-module\\(" ++ Module ++ "\\)", "-module(" ++ New ++ ")", [{return, binary}]),
  Renamed = re:replace(Attribute, "\\b" ++ Module ++ "(\\s*):", New ++ "\\1:", [global, {return, binary}]),
  Path = filename:join(WorkDir, New ++ ".erl"),
  ok = file:write_file(Path, Renamed),
  {Path, list_to_atom(New)}.

%% Microseconds and the interleavings explored (from the summary line).
run(Path, _Module, Function, WorkDir) ->
  Out = filename:join(WorkDir, "concuerror_warm.txt"),
  Options = [{files, [Path]}, {test, Function}, {keep_going, true},
             {ignore_error, [abnormal_exit, abnormal_halt, deadlock]},
             {output, Out}, {verbosity, 0}],
  {Micros, _} = timer:tc(fun() -> concuerror:run(Options) end),
  {ok, Report} = file:read_file(Out),
  Count = case re:run(Report, "([0-9]+)/[0-9]+ interleavings explored", [{capture, all_but_first, list}]) of
            {match, [C]} -> C;
            nomatch -> "-"
          end,
  {Micros, Count}.
