"""The product page: gallery, variants, price, stock by location and reviews of one product."""
