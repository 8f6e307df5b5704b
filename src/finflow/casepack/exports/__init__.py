"""Case-pack exports: spreadsheet, i2 Analyst's Notebook, FollowTheMoney, subjects."""
