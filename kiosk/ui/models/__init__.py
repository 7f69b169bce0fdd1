"""Item models and the delegates that paint them."""
