"""What a plan is: its tables and columns, the rules of a cell and a row, and the words to say it in."""
