// Long form of the fast-path equivalence check: 20,000 mutants.
process.env.KUBESIM_STRESS_MUTANTS ??= '20000';
require('./fast-parse-equivalence.test');
