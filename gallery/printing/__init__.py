"""`python build.py print`: discussion packs and exhibition panels as accessible PDFs (run.py has the stages)."""
