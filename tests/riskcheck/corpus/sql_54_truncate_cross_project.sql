-- config: projects=retail_dw
TRUNCATE TABLE other_prj.dim_a; -- !MC02 !MC11
DELETE FROM other_prj.dim_b WHERE id = 1; -- !MC11
