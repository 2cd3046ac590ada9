-- +goose Up
-- An offset run's postings cost less to write, and no more as the books
-- grow (issue 13, item 5). A run that uses 10,000 expenditures writes
-- 10,003 postings in one statement; two things made that statement slower
-- than it needs to be, the second more so the larger the province's books:
--
-- * Each posting went into three indexes: the primary key, one by
--   transaction (transaction_id, id) and one by account. The index by
--   account cost a run as much as the other two together, and it served one
--   question only: which offsets used an expenditure's spending (the review
--   page and the reversal of an approval ask it). The index by transaction
--   now holds the account too, (transaction_id, account_id): that question
--   is then answered from the few offset transactions of the unit, one
--   probe each for the expenditure's account, and the index by account
--   goes. Reading a transaction's postings in their order (a reversal,
--   `taahod verify`) sorts them within the transaction, which PostgreSQL
--   does incrementally on the index's order by transaction.
--
-- * ledger_apply_postings updates the balances of the statement's accounts
--   by a join of its postings with ledger_accounts. The planner hashed the
--   whole of ledger_accounts for it (a sequential scan of every account of
--   every unit, for each statement): 9 ms at 30,000 accounts, and growing
--   with them. Every join the function makes is of the statement's postings
--   (or rows derived from them) with a table by its key, so it now plans
--   them as nested loops over that key's index: one probe per row of the
--   statement, whatever the size of the books.
CREATE INDEX ledger_postings_transaction_account ON ledger_postings (transaction_id, account_id);
DROP INDEX ledger_postings_transaction;
DROP INDEX ledger_postings_account;
ALTER FUNCTION ledger_apply_postings() SET enable_hashjoin = off;
ALTER FUNCTION ledger_apply_postings() SET enable_mergejoin = off;
