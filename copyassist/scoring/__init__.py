"""Model-graded scores of listings, opt-in: a model grades each listing on written criteria.

Each criterion is a template named ``score-<criterion>`` (``prompts/score-clear.fr.j2``...), a
rubric in French and English that a user may add to or override like any template; its output
is ``outputs.score.ListingGrade``, a grade from 1 to 5 and a one-line reason. Grades never
replace the rule checks: statuses and exit codes stay the rules'.

- ``criteria``: the known criteria, a criteria list checked, the listing as the grader reads it;
- ``grader``: one listing graded on every criterion, in its own language, answers reused;
- ``store``: the ``scores`` tables, on the batch store's connection; ``scores_for``;
- ``feed``: ``score``/``ascore``, a feed's listings graded as they are (the ``score`` command);
- ``rows``: the batch runner's hook that grades each generated row.

No module is imported here: the batch runner imports ``rows`` and the package must not pull
the feed side in with it.
"""
