"""Documents people send to be translated (LibreTranslate's ``/translate_file``): formats and storage."""
